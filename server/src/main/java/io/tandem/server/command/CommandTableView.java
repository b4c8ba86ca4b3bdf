package io.tandem.server.command;

import io.tandem.storage.resp.RespWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders COMMAND INFO and COMMAND DOCS replies from the Redis metadata a spec was loaded with. */
public final class CommandTableView {
    private CommandTableView() {}

    /**
     * COMMAND INFO entry: name, arity, flags (set of status), first/last/step, ACL categories
     * (set of status), tips, key specs, subcommands — Redis 7.0's ten elements.
     */
    @SuppressWarnings("unchecked")
    public static void writeInfo(RespWriter out, CommandSpec s) {
        List<Object> info = s.info;
        out.array(10);
        out.bulk(s.name);
        out.integer(s.arity);
        statusSet(out, (List<Object>) info.get(2));
        out.integer(s.firstKey);
        out.integer(s.lastKey);
        out.integer(s.keyStep);
        statusSet(out, (List<Object>) info.get(6));
        List<Object> tips = (List<Object>) info.get(7);
        out.set(tips.size());
        for (Object t : tips) out.bulk((String) t);
        value(out, info.get(8));
        List<CommandSpec> subs = new ArrayList<>();
        for (CommandSpec sub : s.subcommands.values()) if (sub.handler != null) subs.add(sub);
        out.array(subs.size());
        for (CommandSpec sub : subs) writeInfo(out, sub);
    }

    @SuppressWarnings("unchecked")
    public static List<String> categories(CommandSpec s) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) s.info.get(6)) out.add((String) o);
        return out;
    }

    /** COMMAND DOCS entry: summary, since, group, complexity, ... as a map. */
    @SuppressWarnings("unchecked")
    public static void writeDocs(RespWriter out, CommandSpec s) {
        Map<String, Object> docs = new java.util.LinkedHashMap<>(s.docs);
        Object subDocs = docs.remove("subcommands");
        boolean hasSubs = subDocs instanceof Map<?, ?> m && !m.isEmpty();
        out.map(docs.size() + (hasSubs ? 1 : 0));
        for (Map.Entry<String, Object> e : docs.entrySet()) {
            out.bulk(e.getKey());
            value(out, e.getValue());
        }
        if (hasSubs) {
            out.bulk("subcommands");
            Map<String, Object> sd = (Map<String, Object>) subDocs;
            out.map(sd.size());
            for (Map.Entry<String, Object> e : sd.entrySet()) {
                out.bulk(e.getKey());
                value(out, e.getValue());
            }
        }
    }

    private static void statusSet(RespWriter out, List<Object> items) {
        out.set(items.size());
        for (Object o : items) out.simple((String) o);
    }

    @SuppressWarnings("unchecked")
    private static void value(RespWriter out, Object v) {
        if (v == null) {
            out.nullBulk();
        } else if (v instanceof String str) {
            out.bulk(str);
        } else if (v instanceof Long l) {
            out.integer(l);
        } else if (v instanceof Number n) {
            out.doubleValue(n.doubleValue());
        } else if (v instanceof Boolean b) {
            out.bool(b);
        } else if (v instanceof List<?> list) {
            out.array(list.size());
            for (Object o : list) value(out, o);
        } else if (v instanceof Map<?, ?> map) {
            out.map(map.size());
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                out.bulk(e.getKey());
                value(out, e.getValue());
            }
        }
    }
}
