package io.tandem.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code bind} address. A leading {@code -} in the config ({@code -::1}) marks it optional:
 * failing to bind it (address family unavailable) is not fatal. {@code *} means every IPv4
 * address, {@code ::*} every IPv6 address.
 */
public record BindAddress(String host, boolean optional) {
    public static List<BindAddress> parse(List<String> bind) {
        List<BindAddress> out = new ArrayList<>(bind.size());
        for (String b : bind) {
            boolean opt = b.startsWith("-");
            out.add(new BindAddress(opt ? b.substring(1) : b, opt));
        }
        return out;
    }

    public boolean anyIpv4() {
        return host.equals("*");
    }

    public boolean anyIpv6() {
        return host.equals("::*");
    }
}
