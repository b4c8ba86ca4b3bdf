package io.tandem.server.command;

import io.tandem.server.util.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every command Tandem knows, by name: Redis 7.0's metadata (from the generated resource
 * {@code redis-commands.jsonl}) joined with the handlers registered by the command families.
 * A command Redis has but Tandem does not implement is answered as unknown.
 *
 * <p>Lookup is on the raw argument bytes, ASCII case-insensitively, through an open-addressing
 * table: dispatch builds no String. Built once at startup; read by the executor thread only
 * (renames through {@code rename-command} happen before the server starts).
 */
public final class CommandTable {
    private static final String RESOURCE = "redis-commands.jsonl";

    /** All specs Redis defines, by lowercase name (top level only). */
    private final Map<String, CommandSpec> all = new TreeMap<>();
    private CommandSpec[] slots = new CommandSpec[1024];
    private byte[][] slotNames = new byte[1024][];
    private int count;

    public CommandTable() {
        load();
    }

    @SuppressWarnings("unchecked")
    private void load() {
        InputStream in = CommandTable.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                Map<String, Object> entry = (Map<String, Object>) Json.parse(line);
                List<Object> info = (List<Object>) entry.get("info");
                Map<String, Object> docs = (Map<String, Object>) entry.get("docs");
                CommandSpec spec = build(info, docs, null);
                all.put(spec.name, spec);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static CommandSpec build(List<Object> info, Map<String, Object> docs, CommandSpec parent) {
        String name = ((String) info.get(0)).toLowerCase(Locale.ROOT);
        int flags = 0;
        for (Object f : (List<Object>) info.get(2)) flags |= CommandFlag.parse((String) f);
        CommandSpec spec = new CommandSpec(name,
                ((Number) info.get(1)).intValue(), flags,
                ((Number) info.get(3)).intValue(), ((Number) info.get(4)).intValue(),
                ((Number) info.get(5)).intValue(), info, docs == null ? Map.of() : docs, parent);
        if (info.size() > 9) {
            Map<String, Object> subDocs = docs == null ? null : (Map<String, Object>) docs.get("subcommands");
            for (Object s : (List<Object>) info.get(9)) {
                List<Object> subInfo = (List<Object>) s;
                String full = ((String) subInfo.get(0)).toLowerCase(Locale.ROOT);
                Map<String, Object> d = subDocs == null ? null : (Map<String, Object>) subDocs.get(full);
                CommandSpec sub = build(subInfo, d, spec);
                spec.subcommands.put(full.substring(full.indexOf('|') + 1), sub);
            }
        }
        return spec;
    }

    /**
     * Registers the handler of a Redis command ({@code "get"}) or subcommand ({@code "config|get"}).
     *
     * @throws IllegalArgumentException if Redis 7.0 has no such command
     */
    public void register(String name, Command handler) {
        String n = name.toLowerCase(Locale.ROOT);
        int bar = n.indexOf('|');
        CommandSpec spec = all.get(bar < 0 ? n : n.substring(0, bar));
        if (spec != null && bar >= 0) spec = spec.subcommands.get(n.substring(bar + 1));
        if (spec == null) throw new IllegalArgumentException("Redis 7.0 has no command " + name);
        spec.handler = handler;
        if (bar < 0) index(n.getBytes(StandardCharsets.US_ASCII), spec);
        else index(n.substring(0, bar).getBytes(StandardCharsets.US_ASCII), spec.parent);
    }

    /**
     * Registers a command Tandem adds beyond Redis's table (none yet besides what Redis lists);
     * kept for rename-command: the same spec under another name, the old name removed.
     */
    public void rename(String from, String to) {
        CommandSpec spec = lookup(from.getBytes(StandardCharsets.US_ASCII));
        if (spec == null) throw new IllegalArgumentException("No such command in rename-command");
        remove(from.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (!to.isEmpty()) index(to.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII), spec);
    }

    /** The implemented command named by these bytes (any case), or null. */
    public CommandSpec lookup(byte[] name) {
        int mask = slots.length - 1;
        int i = hash(name) & mask;
        while (true) {
            byte[] n = slotNames[i];
            if (n == null) return null;
            if (equalsIgnoreCase(n, name)) return slots[i];
            i = (i + 1) & mask;
        }
    }

    /** The implemented subcommand, or null. */
    public static CommandSpec subcommand(CommandSpec container, byte[] sub) {
        CommandSpec s = container.subcommands.get(new String(sub, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        return s != null && s.handler != null ? s : null;
    }

    /** Implemented top-level commands (COMMAND, COMMAND COUNT, COMMAND LIST). */
    public List<CommandSpec> implemented() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec s : all.values()) {
            if (s.implemented() && lookup(s.name.getBytes(StandardCharsets.US_ASCII)) == s) out.add(s);
        }
        return out;
    }

    /** Every spec including subcommands (INFO commandstats, CONFIG RESETSTAT). */
    public List<CommandSpec> allImplementedWithSubcommands() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec s : implemented()) {
            if (s.handler != null) out.add(s);
            for (CommandSpec sub : s.subcommands.values()) if (sub.handler != null) out.add(sub);
        }
        return out;
    }

    /** A spec by Redis name even if not implemented (tests, COMMAND DOCS). */
    public CommandSpec redisSpec(String name) {
        return all.get(name.toLowerCase(Locale.ROOT));
    }

    public Collection<CommandSpec> redisSpecs() {
        return all.values();
    }

    private void index(byte[] name, CommandSpec spec) {
        if ((count + 1) * 2 > slots.length) grow();
        int mask = slots.length - 1;
        int i = hash(name) & mask;
        while (slotNames[i] != null) {
            if (equalsIgnoreCase(slotNames[i], name)) {
                slots[i] = spec;
                return;
            }
            i = (i + 1) & mask;
        }
        slotNames[i] = name;
        slots[i] = spec;
        count++;
    }

    private void remove(byte[] name) {
        List<byte[]> names = new ArrayList<>();
        List<CommandSpec> specs = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slotNames[i] != null && !equalsIgnoreCase(slotNames[i], name)) {
                names.add(slotNames[i]);
                specs.add(slots[i]);
            }
        }
        slots = new CommandSpec[slots.length];
        slotNames = new byte[slots.length][];
        count = 0;
        for (int i = 0; i < names.size(); i++) index(names.get(i), specs.get(i));
    }

    private void grow() {
        CommandSpec[] os = slots;
        byte[][] on = slotNames;
        slots = new CommandSpec[os.length * 2];
        slotNames = new byte[os.length * 2][];
        count = 0;
        for (int i = 0; i < os.length; i++) if (on[i] != null) index(on[i], os[i]);
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) h = 31 * h + lower(b);
        return h ^ (h >>> 16);
    }

    private static int lower(byte b) {
        return (b >= 'A' && b <= 'Z') ? b + 32 : b;
    }

    /** ASCII case-insensitive comparison; {@code lowerName} may be in any case too. */
    public static boolean equalsIgnoreCase(byte[] a, byte[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
        }
        return true;
    }
}
