package io.tandem.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;

/**
 * One configuration directive of the {@link ConfigTable}: its name and aliases, flags, default,
 * and how to parse, format (CONFIG GET) and rewrite (CONFIG REWRITE) its typed value.
 *
 * <p>Typed values by {@link Type}: BOOL {@link Boolean}; NUMERIC {@link Long} (memory values in
 * bytes; unsigned ones may use the full 64 bits; percent values are stored negative, as Redis);
 * ENUM the canonical {@link String} name (flag enums: space separated names); STRING
 * {@link String} ({@code ""} when unset); SPECIAL: see {@link ServerConfig#get(String)}.
 */
public abstract class Directive {
    /** Directive flags, as Redis's config flags. */
    public enum Flag {
        /** Not settable with CONFIG SET. */
        IMMUTABLE,
        /** Settable only when enable-protected-configs allows it. */
        PROTECTED,
        /** Value must be redacted from logs / slowlog / MONITOR. */
        SENSITIVE,
        /** Not returned by CONFIG GET patterns (exact name only). */
        HIDDEN,
        /** Takes several arguments (CONFIG SET splits the value on spaces). */
        MULTI_ARG,
        /** CONFIG SET refused with -LOADING while loading the dataset. */
        DENY_LOADING,
        /** A Tandem extension, not a Redis 7.0 directive (Redis's CONFIG GET * does not list it). */
        TANDEM
    }

    public enum Type { BOOL, NUMERIC, ENUM, STRING, SPECIAL }

    final String name;
    final List<String> aliases;
    final EnumSet<Flag> flags;
    String section = "";
    String doc = "";
    int index;

    Directive(String name, List<String> aliases, EnumSet<Flag> flags) {
        this.name = name;
        this.aliases = aliases;
        this.flags = flags;
    }

    public String name() {
        return name;
    }

    public List<String> aliases() {
        return aliases;
    }

    public boolean has(Flag f) {
        return flags.contains(f);
    }

    public boolean mutable() {
        return !flags.contains(Flag.IMMUTABLE);
    }

    /** Short human description (used to generate conf/tandem.conf). */
    public String doc() {
        return doc;
    }

    public String section() {
        return section;
    }

    public abstract Type type();

    public abstract Object defaultValue();

    /**
     * Validates {@code args} and returns the new typed value.
     *
     * @param current the current value (for directives that merge, like client-output-buffer-limit)
     * @param load    non-null while reading a configuration file
     */
    abstract Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException;

    /** The CONFIG GET representation. */
    public abstract String format(Object value);

    abstract void rewrite(RewriteSink out, Object value);

    /** Configuration file lines setting the default value (for documentation). */
    public List<String> defaultLines() {
        return List.of(name + " " + format(defaultValue()));
    }

    @Override
    public String toString() {
        return name;
    }

    static InvalidValueException err(String msg) {
        return new InvalidValueException(msg);
    }

    static String single(List<String> args) throws InvalidValueException {
        if (args.size() != 1) throw err("wrong number of arguments");
        return args.get(0);
    }

    // ------------------------------------------------------------------ bool

    static final class Bool extends Directive {
        final boolean def;

        Bool(String name, List<String> aliases, EnumSet<Flag> flags, boolean def) {
            super(name, aliases, flags);
            this.def = def;
        }

        @Override public Type type() { return Type.BOOL; }
        @Override public Object defaultValue() { return def; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            String v = ConfigText.asciiLower(single(args));
            if (v.equals("yes")) return Boolean.TRUE;
            if (v.equals("no")) return Boolean.FALSE;
            throw err("argument must be 'yes' or 'no'");
        }

        @Override
        public String format(Object value) {
            return (Boolean) value ? "yes" : "no";
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            out.line(name, name + " " + format(value), (Boolean) value != def);
        }
    }

    // ------------------------------------------------------------------ numeric

    static final int MEMORY = 1;
    static final int PERCENT = 2;
    static final int OCTAL = 4;

    static final class Numeric extends Directive {
        final long lower;
        final long upper;
        final long def;
        final boolean unsigned;
        final int nflags;
        LongUnaryOperator normalize;

        Numeric(String name, List<String> aliases, EnumSet<Flag> flags, long lower, long upper, long def,
                boolean unsigned, int nflags) {
            super(name, aliases, flags);
            this.lower = lower;
            this.upper = upper;
            this.def = def;
            this.unsigned = unsigned;
            this.nflags = nflags;
        }

        @Override public Type type() { return Type.NUMERIC; }
        @Override public Object defaultValue() { return def; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            String v = single(args);
            Long res = null;
            if ((nflags & MEMORY) != 0) res = ConfigText.memtoull(v);
            if (res == null && (nflags & PERCENT) != 0 && v.length() > 1 && v.endsWith("%")) {
                Long p = ConfigText.string2ll(v.substring(0, v.length() - 1));
                if (p != null && p >= 0) res = -p;
            }
            if (res == null && (nflags & OCTAL) != 0) res = ConfigText.strtollFull(v, 8);
            if (res == null && nflags == 0) res = ConfigText.string2ll(v);
            if (res == null) {
                if ((nflags & MEMORY) != 0 && (nflags & PERCENT) != 0) throw err("argument must be a memory or percent value");
                if ((nflags & MEMORY) != 0) throw err("argument must be a memory value");
                if ((nflags & OCTAL) != 0) throw err("argument couldn't be parsed as an octal number");
                throw err("argument couldn't be parsed into an integer");
            }
            long ll = res;
            if (unsigned) {
                if (Long.compareUnsigned(ll, upper) > 0 || Long.compareUnsigned(ll, lower) < 0) {
                    if ((nflags & OCTAL) != 0) {
                        throw err("argument must be between " + Long.toOctalString(lower) + " and "
                                + Long.toOctalString(upper) + " inclusive");
                    }
                    throw err("argument must be between " + Long.toUnsignedString(lower) + " and "
                            + Long.toUnsignedString(upper) + " inclusive");
                }
            } else if ((nflags & PERCENT) != 0 && ll < 0) {
                if (ll < lower) throw err("percentage argument must be less or equal to " + (-lower));
            } else if (ll > upper || ll < lower) {
                throw err("argument must be between " + lower + " and " + upper + " inclusive");
            }
            if (normalize != null) ll = normalize.applyAsLong(ll);
            return ll;
        }

        @Override
        public String format(Object value) {
            long v = (Long) value;
            if ((nflags & PERCENT) != 0 && v < 0) return (-v) + "%";
            if ((nflags & MEMORY) != 0) return Long.toUnsignedString(v);
            if ((nflags & OCTAL) != 0) return Long.toOctalString(v);
            return Long.toString(v);
        }

        String fileFormat(long v) {
            if ((nflags & PERCENT) != 0 && v < 0) return (-v) + "%";
            if ((nflags & MEMORY) != 0) return v < 0 ? Long.toUnsignedString(v) : ConfigText.formatMemory(v);
            if ((nflags & OCTAL) != 0) return Long.toOctalString(v);
            return Long.toString(v);
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            long v = (Long) value;
            out.line(name, name + " " + fileFormat(v), v != def);
        }

        @Override
        public List<String> defaultLines() {
            return List.of(name + " " + fileFormat(def));
        }
    }

    // ------------------------------------------------------------------ enum

    static final class Enum extends Directive {
        final String[] names;
        final int[] values;
        final int def;
        final boolean bitflags;
        Function<Integer, String> validator;

        Enum(String name, List<String> aliases, EnumSet<Flag> flags, String[] names, int[] values, int def) {
            super(name, aliases, flags);
            this.names = names;
            this.values = values;
            this.def = def;
            this.bitflags = flags.contains(Flag.MULTI_ARG);
        }

        @Override public Type type() { return Type.ENUM; }
        @Override public Object defaultValue() { return nameOf(def); }

        /** The allowed names, in Redis's order. */
        public List<String> choices() {
            return List.of(names);
        }

        int valueOf(String n) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(n)) return values[i];
            }
            throw new IllegalArgumentException(n);
        }

        String nameOf(int val) {
            for (int i = 0; i < names.length; i++) {
                if (values[i] == val) return names[i];
            }
            if (!bitflags) return "unknown";
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                if (values[i] != 0 && (val & values[i]) == values[i]) {
                    if (sb.length() > 0) sb.append(' ');
                    sb.append(names[i]);
                }
            }
            return sb.length() == 0 ? "unknown" : sb.toString();
        }

        /** The integer value of a canonical name (flag enums: OR of the names). */
        int intValue(String canonical) {
            int v = 0;
            for (String part : canonical.split(" ")) {
                if (!bitflags) return valueOf(part);
                v |= valueOf(part);
            }
            return v;
        }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (!bitflags && args.size() != 1) throw err("wrong number of arguments");
            int val = 0;
            for (String a : args) {
                String la = ConfigText.asciiLower(a);
                int found = Integer.MIN_VALUE;
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equals(la)) {
                        found = values[i];
                        break;
                    }
                }
                if (found == Integer.MIN_VALUE) {
                    String msg = "argument(s) must be one of the following: " + String.join(", ", names);
                    if (msg.length() > 255) msg = msg.substring(0, 255);
                    throw err(msg);
                }
                val = bitflags ? (val | found) : found;
            }
            if (validator != null) {
                String e = validator.apply(val);
                if (e != null) throw err(e);
            }
            return nameOf(val);
        }

        @Override
        public String format(Object value) {
            return (String) value;
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            out.line(name, name + " " + value, intValue((String) value) != def);
        }
    }

    // ------------------------------------------------------------------ string

    static final class Str extends Directive {
        final String def;
        final boolean emptyIsNull;
        Function<String, String> validator;

        Str(String name, List<String> aliases, EnumSet<Flag> flags, String def, boolean emptyIsNull) {
            super(name, aliases, flags);
            this.def = def;
            this.emptyIsNull = emptyIsNull;
        }

        @Override public Type type() { return Type.STRING; }
        @Override public Object defaultValue() { return def == null ? "" : def; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            String v = single(args);
            if (validator != null) {
                String e = validator.apply(v);
                if (e != null) throw err(e);
            }
            return v;
        }

        @Override
        public String format(Object value) {
            return (String) value;
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            String v = (String) value;
            if (emptyIsNull && v.isEmpty()) {
                out.processed(name);
                return;
            }
            boolean force = !(def != null && v.equals(def));
            out.line(name, name + " " + ConfigText.repr(v), force);
        }

        @Override
        public List<String> defaultLines() {
            return List.of(name + " " + ConfigText.repr(def == null ? "" : def));
        }
    }

    // ------------------------------------------------------------------ special: save

    static final class Save extends Directive {
        static final List<SavePoint> DEFAULT = List.of(new SavePoint(3600, 1), new SavePoint(300, 100), new SavePoint(60, 10000));

        Save() {
            super("save", List.of(), EnumSet.of(Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return DEFAULT; }

        @Override
        @SuppressWarnings("unchecked")
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() == 1 && args.get(0).isEmpty()) args = List.of();
            if ((args.size() & 1) != 0) throw err("Invalid save parameters");
            List<SavePoint> parsed = new ArrayList<>();
            for (int j = 0; j < args.size(); j += 2) {
                Long secs = ConfigText.strtollFull(args.get(j), 10);
                Long changes = ConfigText.strtollFull(args.get(j + 1), 10);
                if (secs == null || secs < 1 || changes == null || changes < 0) throw err("Invalid save parameters");
                parsed.add(new SavePoint(secs, (int) (long) changes));
            }
            List<SavePoint> out;
            if (load == null) {
                out = parsed;
            } else if (args.isEmpty() || !load.saveSeen) {
                // First save line of a file (or save "") replaces the defaults; later ones append.
                load.saveSeen = true;
                out = parsed;
            } else {
                out = new ArrayList<>((List<SavePoint>) current);
                out.addAll(parsed);
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        @SuppressWarnings("unchecked")
        public String format(Object value) {
            List<SavePoint> l = (List<SavePoint>) value;
            StringBuilder sb = new StringBuilder();
            for (SavePoint p : l) {
                if (sb.length() > 0) sb.append(' ');
                sb.append(p.seconds()).append(' ').append(p.changes());
            }
            return sb.toString();
        }

        @Override
        @SuppressWarnings("unchecked")
        void rewrite(RewriteSink out, Object value) {
            List<SavePoint> l = (List<SavePoint>) value;
            if (l.isEmpty()) {
                out.line(name, "save \"\"", true);
            } else {
                for (SavePoint p : l) out.line(name, "save " + p.seconds() + " " + p.changes(), true);
            }
            out.processed(name);
        }

        @Override
        public List<String> defaultLines() {
            List<String> out = new ArrayList<>();
            for (SavePoint p : DEFAULT) out.add("save " + p.seconds() + " " + p.changes());
            return out;
        }
    }

    // ------------------------------------------------------------------ special: bind

    static final class Bind extends Directive {
        static final List<String> DEFAULT = List.of("*", "-::*");

        Bind() {
            super("bind", List.of(), EnumSet.of(Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return DEFAULT; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() > 16) throw err("Too many bind addresses specified.");
            if (args.size() == 1 && args.get(0).isEmpty()) return List.of();
            return List.copyOf(args);
        }

        @Override
        @SuppressWarnings("unchecked")
        public String format(Object value) {
            return String.join(" ", (List<String>) value);
        }

        @Override
        @SuppressWarnings("unchecked")
        void rewrite(RewriteSink out, Object value) {
            List<String> l = (List<String>) value;
            if (l.equals(DEFAULT)) {
                out.processed(name);
                return;
            }
            out.line(name, "bind " + (l.isEmpty() ? "\"\"" : String.join(" ", l)), true);
        }
    }

    // ------------------------------------------------------------------ special: client-output-buffer-limit

    static final class OutputBufferLimit extends Directive {
        OutputBufferLimit() {
            super("client-output-buffer-limit", List.of(), EnumSet.of(Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return ClientBufferLimits.DEFAULT; }

        static int classOf(String n) {
            switch (ConfigText.asciiLower(n)) {
                case "normal": return 0;
                case "slave": case "replica": return 1;
                case "pubsub": return 2;
                default: return -1; // "master" is invalid here too
            }
        }

        static final String[] GET_NAMES = {"normal", "slave", "pubsub"};
        static final String[] FILE_NAMES = {"normal", "replica", "pubsub"};

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() % 4 != 0) throw err("Wrong number of arguments in buffer limit configuration.");
            ClientBufferLimits cur = (ClientBufferLimits) current;
            for (int j = 0; j < args.size(); j += 4) {
                int clazz = classOf(args.get(j));
                if (clazz < 0) throw err("Invalid client class specified in buffer limit configuration.");
                Long hard = ConfigText.memtoull(args.get(j + 1));
                Long soft = ConfigText.memtoull(args.get(j + 2));
                Long secs = ConfigText.strtollFull(args.get(j + 3), 10);
                if (hard == null || soft == null || secs == null || secs < 0) {
                    throw err("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
                }
                cur = cur.with(clazz, new ClientBufferLimits.Limit(hard, soft, (int) (long) secs));
            }
            return cur;
        }

        @Override
        public String format(Object value) {
            ClientBufferLimits l = (ClientBufferLimits) value;
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 3; j++) {
                ClientBufferLimits.Limit x = l.get(j);
                if (j > 0) sb.append(' ');
                sb.append(GET_NAMES[j]).append(' ').append(Long.toUnsignedString(x.hardBytes())).append(' ')
                        .append(Long.toUnsignedString(x.softBytes())).append(' ').append(x.softSeconds());
            }
            return sb.toString();
        }

        static String line(int j, ClientBufferLimits.Limit x) {
            return "client-output-buffer-limit " + FILE_NAMES[j] + " " + ConfigText.formatMemory(x.hardBytes()) + " "
                    + ConfigText.formatMemory(x.softBytes()) + " " + x.softSeconds();
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            ClientBufferLimits l = (ClientBufferLimits) value;
            for (int j = 0; j < 3; j++) {
                ClientBufferLimits.Limit x = l.get(j);
                out.line(name, line(j, x), !x.equals(ClientBufferLimits.DEFAULT.get(j)));
            }
        }

        @Override
        public List<String> defaultLines() {
            List<String> out = new ArrayList<>();
            for (int j = 0; j < 3; j++) out.add(line(j, ClientBufferLimits.DEFAULT.get(j)));
            return out;
        }
    }

    // ------------------------------------------------------------------ special: replicaof

    static final class ReplicaOfDirective extends Directive {
        ReplicaOfDirective() {
            super("replicaof", List.of("slaveof"), EnumSet.of(Flag.IMMUTABLE, Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return null; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() != 2) throw err("wrong number of arguments");
            if (ConfigText.asciiLower(args.get(0)).equals("no") && ConfigText.asciiLower(args.get(1)).equals("one")) {
                return null;
            }
            Long port = ConfigText.strtollFull(args.get(1), 10);
            if (port == null || port < 0 || port > 65535) throw err("Invalid master port");
            return new ReplicaOf(args.get(0), (int) (long) port);
        }

        @Override
        public String format(Object value) {
            return value == null ? "" : value.toString();
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            if (value == null) {
                out.processed(name);
                return;
            }
            out.line(name, name + " " + value, true);
        }

        @Override
        public List<String> defaultLines() {
            return List.of("replicaof no one");
        }
    }

    // ------------------------------------------------------------------ special: notify-keyspace-events

    static final class NotifyKeyspaceEvents extends Directive {
        NotifyKeyspaceEvents() {
            super("notify-keyspace-events", List.of(), EnumSet.noneOf(Flag.class));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return 0; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            int f = KeyspaceEventFlags.parse(single(args));
            if (f == -1) throw err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return f;
        }

        @Override
        public String format(Object value) {
            return KeyspaceEventFlags.toString((Integer) value);
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            out.line(name, name + " " + ConfigText.repr(format(value)), (Integer) value != 0);
        }

        @Override
        public List<String> defaultLines() {
            return List.of(name + " \"\"");
        }
    }

    // ------------------------------------------------------------------ special: dir

    static final class Dir extends Directive {
        Dir() {
            super("dir", List.of(), EnumSet.of(Flag.PROTECTED, Flag.DENY_LOADING));
        }

        @Override public Type type() { return Type.SPECIAL; }

        @Override
        public Object defaultValue() {
            return System.getProperty("user.dir");
        }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            String v = single(args);
            // Like chdir(): relative to the current working directory, which is the current 'dir'.
            java.nio.file.Path base = java.nio.file.Path.of(ConfigText.utf8((String) current));
            java.nio.file.Path p;
            try {
                p = base.resolve(ConfigText.utf8(v)).toAbsolutePath().normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw err("No such file or directory");
            }
            if (v.isEmpty() || !java.nio.file.Files.exists(p)) throw err("No such file or directory");
            if (!java.nio.file.Files.isDirectory(p)) throw err("Not a directory");
            if (!java.nio.file.Files.isExecutable(p)) throw err("Permission denied");
            return ConfigText.fromBytes(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public String format(Object value) {
            return (String) value;
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            out.line(name, name + " " + ConfigText.repr((String) value), true);
        }

        @Override
        public List<String> defaultLines() {
            return List.of("dir ./");
        }
    }

    // ------------------------------------------------------------------ special: oom-score-adj-values

    static final class OomScoreAdjValues extends Directive {
        static final List<Integer> DEFAULT = List.of(0, 200, 800);

        OomScoreAdjValues() {
            super("oom-score-adj-values", List.of(), EnumSet.of(Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return DEFAULT; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() != 3) throw err("wrong number of arguments");
            List<Integer> out = new ArrayList<>(3);
            for (String a : args) {
                Long v = ConfigText.strtollFull(a, 10);
                if (v == null || v < -2000 || v > 2000) {
                    throw err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
                }
                out.add((int) (long) v);
            }
            return List.copyOf(out);
        }

        @Override
        @SuppressWarnings("unchecked")
        public String format(Object value) {
            StringBuilder sb = new StringBuilder();
            for (Integer i : (List<Integer>) value) {
                if (sb.length() > 0) sb.append(' ');
                sb.append(i);
            }
            return sb.toString();
        }

        @Override
        void rewrite(RewriteSink out, Object value) {
            out.line(name, name + " " + format(value), !DEFAULT.equals(value));
        }
    }

    // ------------------------------------------------------------------ special: latency-tracking-info-percentiles

    static final class LatencyPercentiles extends Directive {
        static final List<Double> DEFAULT = List.of(50.0, 99.0, 99.9);

        LatencyPercentiles() {
            super("latency-tracking-info-percentiles", List.of(), EnumSet.of(Flag.MULTI_ARG));
        }

        @Override public Type type() { return Type.SPECIAL; }
        @Override public Object defaultValue() { return DEFAULT; }

        @Override
        Object parse(List<String> args, Object current, ConfigLoader.LoadState load) throws InvalidValueException {
            if (args.size() == 1 && args.get(0).isEmpty()) return List.of();
            List<Double> out = new ArrayList<>();
            for (String a : args) {
                double d;
                try {
                    if (a.isEmpty() || Character.isWhitespace(a.charAt(0)) || a.endsWith("f") || a.endsWith("d")
                            || a.endsWith("F") || a.endsWith("D")) {
                        throw new NumberFormatException();
                    }
                    d = Double.parseDouble(a);
                    if (Double.isNaN(d)) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    throw err("Invalid latency-tracking-info-percentiles parameters");
                }
                if (d > 100.0 || d < 0.0) {
                    throw err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                }
                out.add(d);
            }
            return List.copyOf(out);
        }

        static String fmt(double d) {
            String s = String.format(Locale.ROOT, "%f", d);
            if (s.indexOf('.') >= 0) {
                int end = s.length();
                while (s.charAt(end - 1) == '0') end--;
                if (s.charAt(end - 1) == '.') end--;
                s = s.substring(0, end);
            }
            return s;
        }

        @Override
        @SuppressWarnings("unchecked")
        public String format(Object value) {
            StringBuilder sb = new StringBuilder();
            for (Double d : (List<Double>) value) {
                if (sb.length() > 0) sb.append(' ');
                sb.append(fmt(d));
            }
            return sb.toString();
        }

        @Override
        @SuppressWarnings("unchecked")
        void rewrite(RewriteSink out, Object value) {
            List<Double> l = (List<Double>) value;
            out.line(name, name + " " + (l.isEmpty() ? "\"\"" : format(value)), true);
        }
    }

    static boolean sameValue(Object a, Object b) {
        return Objects.equals(a, b);
    }
}
