package io.tandem.server.config;

import io.tandem.storage.util.Glob;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads redis.conf syntax exactly as Redis 7.0's {@code loadServerConfig} /
 * {@code loadServerConfigFromString}: one directive per line, '#' comments, sdssplitargs quoting,
 * case-insensitive names, {@code include} (relative to the working directory, i.e. the current
 * {@code dir}; wildcards allowed), several {@code save} lines, and the first error stops the
 * load with Redis's FATAL report ({@link ConfigException}).
 */
public final class ConfigLoader {
    /** The Redis version Tandem reports and whose configuration it implements. */
    public static final String REDIS_VERSION = "7.0.15";

    private static final Set<String> DEPRECATED = Set.of("list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands");

    private ConfigLoader() {}

    /** Load options. */
    public static final class Options {
        Predicate<String> commandExists;
        boolean checkLogfile = true;

        public static Options defaults() {
            return new Options();
        }

        /**
         * Validates {@code rename-command} sources against the command table ("No such command in
         * rename-command"). Without it every name is accepted.
         */
        public Options commandExists(Predicate<String> exists) {
            this.commandExists = exists;
            return this;
        }

        /** Whether to check, as Redis does, that a non-empty logfile can be opened for appending (default true). */
        public Options checkLogfile(boolean check) {
            this.checkLogfile = check;
            return this;
        }
    }

    /** State of one load (shared with includes). */
    static final class LoadState {
        final ServerConfig cfg;
        final Options options;
        boolean saveSeen;
        int includeDepth;

        LoadState(ServerConfig cfg, Options options) {
            this.cfg = cfg;
            this.options = options;
        }
    }

    /** Loads configuration text over the defaults (no file: CONFIG REWRITE will be refused). */
    public static ServerConfig loadString(String text) throws ConfigException {
        return loadString(text, Options.defaults());
    }

    public static ServerConfig loadString(String text, Options options) throws ConfigException {
        ServerConfig cfg = ServerConfig.defaults();
        loadFromString(text, new LoadState(cfg, options));
        return cfg;
    }

    /** Loads a configuration file over the defaults; it becomes the file CONFIG REWRITE writes. */
    public static ServerConfig loadFile(Path file) throws ConfigException {
        return load(file, null, null, Options.defaults());
    }

    /**
     * Redis's {@code loadServerConfig(filename, config_from_stdin, options)}: the file content,
     * then stdin's, then {@code "\n" + options} are concatenated and parsed as one text.
     *
     * @param file      configuration file or null
     * @param stdinText configuration read from stdin or null
     * @param options   command line options ("name args\n...") or null
     */
    public static ServerConfig load(Path file, String stdinText, String options, Options opts) throws ConfigException {
        ServerConfig cfg = ServerConfig.defaults();
        LoadState st = new LoadState(cfg, opts);
        StringBuilder text = new StringBuilder();
        if (file != null) {
            Path abs = file.toAbsolutePath();
            cfg.configFile(abs);
            text.append(readConfigFiles(file.toString(), Path.of(System.getProperty("user.dir"))));
        }
        if (stdinText != null) text.append(stdinText);
        if (options != null) text.append('\n').append(options);
        loadFromString(text.toString(), st);
        return cfg;
    }

    static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof NotDirectoryException) return "Not a directory";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            String r = ((FileSystemException) e).getReason();
            if (r.equalsIgnoreCase("Is a directory")) return "Is a directory";
            return r;
        }
        return String.valueOf(e.getMessage());
    }

    private static ConfigException cantOpen(String name, IOException e) {
        return new ConfigException("Fatal error, can't open config file '" + name + "': " + strerror(e), false);
    }

    /** Reads a file, or every file matching a wildcard pattern (none matching: empty). */
    static String readConfigFiles(String name, Path cwd) throws ConfigException {
        String fsName = ConfigText.utf8(name);
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0) {
            Path pattern = cwd.resolve(fsName);
            Path parent = pattern.getParent();
            String filePattern = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
            List<Path> matches = new ArrayList<>();
            if (parent != null && Files.isDirectory(parent)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
                    for (Path p : ds) {
                        String fn = p.getFileName().toString();
                        if (fn.startsWith(".") && !filePattern.startsWith(".")) continue;
                        if (Glob.match(filePattern, fn, false)) matches.add(p);
                    }
                } catch (IOException e) {
                    return "";
                }
            }
            matches.sort(null);
            StringBuilder sb = new StringBuilder();
            for (Path p : matches) {
                try {
                    sb.append(ConfigText.fromBytes(Files.readAllBytes(p)));
                } catch (IOException e) {
                    throw cantOpen(ConfigText.fromBytes(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), e);
                }
            }
            return sb.toString();
        }
        try {
            Path p = cwd.resolve(fsName);
            if (Files.isDirectory(p)) return ""; // fopen succeeds, fgets reads nothing
            return ConfigText.fromBytes(Files.readAllBytes(p));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw cantOpen(name, e instanceof IOException ? (IOException) e : new NoSuchFileException(name));
        }
    }

    private static ConfigException report(int linenum, String line, String err) {
        StringBuilder sb = new StringBuilder();
        sb.append("*** FATAL CONFIG FILE ERROR (Redis ").append(REDIS_VERSION).append(") ***\n");
        if (line != null) {
            sb.append("Reading the configuration file, at line ").append(linenum).append('\n');
            sb.append(">>> '").append(line).append("'\n");
        }
        sb.append(err);
        return new ConfigException(sb.toString(), true);
    }

    private static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && " \t\r\n".indexOf(s.charAt(b)) >= 0) b++;
        while (e > b && " \t\r\n".indexOf(s.charAt(e - 1)) >= 0) e--;
        return s.substring(b, e);
    }

    /** Splits like sdssplitlen(text, "\n"): empty text has no lines; a trailing newline gives a last empty line. */
    static String[] lines(String text) {
        if (text.isEmpty()) return new String[0];
        return text.split("\n", -1);
    }

    static void loadFromString(String text, LoadState st) throws ConfigException {
        ServerConfig cfg = st.cfg;
        String[] lines = lines(text);
        for (int i = 0; i < lines.length; i++) {
            int linenum = i + 1;
            String line = trim(lines[i]);
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            List<String> argv = ConfigText.splitArgs(line);
            if (argv == null) throw report(linenum, line, "Unbalanced quotes in configuration line");
            if (argv.isEmpty()) continue;
            String name = ConfigText.asciiLower(argv.get(0));
            int argc = argv.size();

            Directive d = ConfigTable.lookup(name);
            if (d != null) {
                boolean multi = d.has(Directive.Flag.MULTI_ARG);
                if (!multi && argc != 2) throw report(linenum, line, "wrong number of arguments");
                List<String> args;
                if (multi && argc == 2 && !argv.get(1).isEmpty()) {
                    // "--save '900 1'" style: a single argument is split again.
                    args = ConfigText.splitArgs(argv.get(1));
                    if (args == null) args = List.of();
                } else {
                    args = argv.subList(1, argc);
                }
                try {
                    cfg.load(d, d.parse(args, cfg.raw(d), st));
                } catch (InvalidValueException e) {
                    throw report(linenum, line, e.getMessage());
                }
                continue;
            }
            if (DEPRECATED.contains(name) && argc == 2) continue;

            if (name.equals("include") && argc == 2) {
                if (st.includeDepth > 64) throw report(linenum, line, "Too many nested includes");
                String content = readConfigFiles(argv.get(1), cfg.dirPath());
                st.includeDepth++;
                try {
                    loadFromString(content, st);
                } finally {
                    st.includeDepth--;
                }
            } else if (name.equals("rename-command") && argc == 3) {
                if (st.options.commandExists != null && !st.options.commandExists.test(ConfigText.asciiLower(argv.get(1)))) {
                    throw report(linenum, line, "No such command in rename-command");
                }
                for (ServerConfig.CommandRename r : cfg.renamesMutable()) {
                    if (!argv.get(2).isEmpty() && r.to().equalsIgnoreCase(argv.get(2))) {
                        throw report(linenum, line, "Target command name already exists");
                    }
                }
                cfg.renamesMutable().add(new ServerConfig.CommandRename(argv.get(1), argv.get(2)));
            } else if (name.equals("user") && argc >= 2) {
                cfg.usersMutable().add(List.copyOf(argv.subList(1, argc)));
            } else if (name.equals("loadmodule") && argc >= 2) {
                cfg.modulesMutable().add(List.copyOf(argv.subList(1, argc)));
            } else if (name.indexOf('.') >= 0) {
                if (argc != 2) throw report(linenum, line, "Module config specified without value");
                cfg.moduleConfigsMutable().put(argv.get(0), argv.get(1));
            } else if (name.equals("sentinel")) {
                if (argc != 1) throw report(linenum, line, "sentinel directive while not in sentinel mode");
            } else {
                throw report(linenum, line, "Bad directive or wrong number of arguments");
            }
        }

        String logfile = cfg.logfile();
        if (st.options.checkLogfile && !logfile.isEmpty()) {
            Path p = cfg.dirPath().resolve(ConfigText.utf8(logfile));
            try {
                // Only testing that it can be opened, as Redis does.
                OutputStream os = Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                os.close();
            } catch (IOException e) {
                throw report(0, null, "Can't open the log file: " + strerror(e));
            }
        }
        if (cfg.clusterEnabled() && cfg.replicaOf() != null) {
            throw report(0, null, "replicaof directive not allowed in cluster mode");
        }
    }
}
