/**
 * Configuration in redis.conf syntax, with Redis 7.0.15's directives, defaults, validation,
 * error reports, CONFIG GET/SET/REWRITE semantics and command line.
 *
 * <h2>Starting</h2>
 * <pre>
 * CommandLine cl = CommandLine.parse(args);
 * switch (cl.mode()) {
 *     case VERSION: System.out.println(cl.versionText()); System.exit(0);
 *     case HELP: System.err.print(CommandLine.usageText()); System.exit(1);
 *     default:
 * }
 * ServerConfig cfg;
 * try {
 *     cfg = cl.load(System.in);           // or cl.load(System.in, ConfigLoader.Options.defaults().commandExists(table::has))
 * } catch (ConfigException e) {
 *     System.err.print(e.stderrText());   // "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" report
 *     System.exit(1);
 * }
 * </pre>
 * Then apply {@link io.tandem.server.config.ServerConfig#renamedCommands()} to the command table and
 * register {@link io.tandem.server.config.ServerConfig#onChange} listeners for values that need
 * applying at runtime (port, bind, maxmemory, appendonly, repl-backlog-size, ...).
 *
 * <h2>Commands</h2>
 * <ul>
 * <li>CONFIG GET p [p ...]: {@link io.tandem.server.config.ServerConfig#getMatching(java.util.List)} gives
 *     (name, value) pairs; reply them as a map (RESP3) or flat array (RESP2).</li>
 * <li>CONFIG SET n v [n v ...]: odd arity is a syntax error (the command checks); otherwise
 *     {@link io.tandem.server.config.ServerConfig#set(java.util.List, boolean, boolean)}; on
 *     {@link io.tandem.server.config.ConfigSetException} reply "-ERR " + message, or -LOADING when
 *     {@code isLoadingError()}. Values of SENSITIVE directives must be redacted from slowlog/MONITOR.</li>
 * <li>CONFIG REWRITE: {@link io.tandem.server.config.ServerConfig#rewrite()}; IllegalStateException
 *     → "-ERR The server is running without a config file"; IOException e → "-ERR Rewriting config
 *     file: " + e.getMessage().</li>
 * <li>REPLICAOF host port / NO ONE: {@link io.tandem.server.config.ServerConfig#updateReplicaOf}.</li>
 * </ul>
 *
 * <p>Strings are ISO-8859-1 (one char per byte) so values are byte-exact; see
 * {@link io.tandem.server.config.ConfigText#bytes(String)}.
 */
package io.tandem.server.config;
