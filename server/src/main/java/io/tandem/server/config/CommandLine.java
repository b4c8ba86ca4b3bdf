package io.tandem.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The redis-server command line: {@code tandem-server [configfile|-] [--directive value ...] [-]}.
 * As Redis 7.0's main(): a first argument not starting with '-' is the config file; '-' as the
 * first or last argument reads configuration from stdin; {@code --name args...} options are
 * appended, one per line, after the file and stdin (so later ones win and errors name their
 * line); {@code --save} without a value means {@code save ""}. {@code -v}/{@code --version} and
 * {@code -h}/{@code --help} are only recognised as the first argument.
 *
 * <pre>
 * CommandLine cl = CommandLine.parse(args);
 * if (cl.mode() == CommandLine.Mode.VERSION) { System.out.println(cl.versionText()); exit(0); }
 * if (cl.mode() == CommandLine.Mode.HELP)    { System.err.print(CommandLine.usageText()); exit(1); }
 * try { ServerConfig cfg = cl.load(System.in); ... }
 * catch (ConfigException e) { System.err.print(e.stderrText()); System.exit(1); }
 * </pre>
 */
public final class CommandLine {
    public enum Mode { RUN, VERSION, HELP }

    public static final String PROGRAM = "tandem-server";
    public static final String TANDEM_VERSION = "0.1.0";

    private final Mode mode;
    private final String configFile;
    private final boolean fromStdin;
    private final String options;

    private CommandLine(Mode mode, String configFile, boolean fromStdin, String options) {
        this.mode = mode;
        this.configFile = configFile;
        this.fromStdin = fromStdin;
        this.options = options;
    }

    public static CommandLine parse(String... args) {
        if (args.length >= 1) {
            if (args[0].equals("-v") || args[0].equals("--version")) return new CommandLine(Mode.VERSION, null, false, "");
            if (args[0].equals("--help") || args[0].equals("-h")) return new CommandLine(Mode.HELP, null, false, "");
        }
        // Work on the bytes the arguments had (the platform's file-name encoding), one char per byte.
        java.nio.charset.Charset argCharset = argCharset();
        String[] raw = args;
        args = new String[raw.length];
        for (int i = 0; i < raw.length; i++) args[i] = ConfigText.fromBytes(raw[i].getBytes(argCharset));
        String file = null;
        boolean stdin = false;
        StringBuilder opts = new StringBuilder();
        int j = 0;
        if (args.length >= 1 && !args[0].startsWith("-")) {
            file = raw[0];
            j = 1;
        }
        boolean handledLastConfigArg = true;
        int last = args.length - 1;
        for (; j < args.length; j++) {
            String a = args[j];
            if (a.equals("-") && (j == 0 || j == last)) {
                stdin = true;
            } else if (handledLastConfigArg && a.startsWith("--")) {
                if (opts.length() > 0) opts.append('\n');
                opts.append(a, 2, a.length()).append(' ');
                List<String> split = ConfigText.splitArgs(a);
                if (split != null && split.size() == 1) {
                    handledLastConfigArg = false;
                    boolean nextIsOption = j != last && args[j + 1].startsWith("--");
                    if (nextIsOption && a.equalsIgnoreCase("--save")) {
                        opts.append("\"\"");
                        handledLastConfigArg = true;
                    } else if (j == last && a.equalsIgnoreCase("--save")) {
                        opts.append("\"\"");
                    } else if (nextIsOption && a.equalsIgnoreCase("--sentinel")) {
                        handledLastConfigArg = true;
                    }
                } else {
                    handledLastConfigArg = true;
                }
            } else {
                opts.append(ConfigText.repr(a)).append(' ');
                handledLastConfigArg = true;
            }
        }
        return new CommandLine(Mode.RUN, file, stdin, opts.toString());
    }

    private static java.nio.charset.Charset argCharset() {
        String enc = System.getProperty("sun.jnu.encoding");
        try {
            return enc == null ? java.nio.charset.StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc);
        } catch (RuntimeException e) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
    }

    /** Parses {@code args} and loads the configuration (mode must be RUN). */
    public static ServerConfig load(String[] args, InputStream stdin) throws ConfigException {
        CommandLine cl = parse(args);
        if (cl.mode != Mode.RUN) throw new IllegalStateException("mode " + cl.mode);
        return cl.load(stdin);
    }

    public ServerConfig load(InputStream stdin) throws ConfigException {
        return load(stdin, ConfigLoader.Options.defaults());
    }

    public ServerConfig load(InputStream stdin, ConfigLoader.Options opts) throws ConfigException {
        String stdinText = null;
        if (fromStdin) {
            try {
                stdinText = ConfigText.fromBytes(stdin.readAllBytes());
            } catch (IOException e) {
                stdinText = "";
            }
        }
        Path file = configFile == null ? null : Path.of(configFile);
        return ConfigLoader.load(file, stdinText, options.isEmpty() ? null : options, opts);
    }

    public Mode mode() {
        return mode;
    }

    /** The config file as given, or null. */
    public String configFile() {
        return configFile;
    }

    public boolean fromStdin() {
        return fromStdin;
    }

    /** The configuration text built from the --options (empty if none). */
    public String optionsText() {
        return options;
    }

    /** The --version line (stdout, exit 0). */
    public String versionText() {
        return "Tandem server v=" + TANDEM_VERSION + " redis_version=" + ConfigLoader.REDIS_VERSION + " bits=64 java="
                + System.getProperty("java.version");
    }

    /** The --help text (Redis prints it to stderr and exits 1). */
    public static String usageText() {
        String p = "./" + PROGRAM;
        return "Usage: " + p + " [/path/to/tandem.conf] [options] [-]\n"
                + "       " + p + " - (read config from stdin)\n"
                + "       " + p + " -v or --version\n"
                + "       " + p + " -h or --help\n"
                + "\n"
                + "Examples:\n"
                + "       " + p + " (run the server with default conf)\n"
                + "       echo 'maxmemory 128mb' | " + p + " -\n"
                + "       " + p + " /etc/redis/6379.conf\n"
                + "       " + p + " --port 7777\n"
                + "       " + p + " --port 7777 --replicaof 127.0.0.1 8888\n"
                + "       " + p + " /etc/myredis.conf --loglevel verbose -\n"
                + "       " + p + " /etc/myredis.conf --loglevel verbose\n"
                + "\n";
    }
}
