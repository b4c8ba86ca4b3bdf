package io.tandem.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The command line of tandem-benchmark, in redis-benchmark's spirit. */
final class Options {
    /** A command-line mistake: printed with the usage hint, exit status 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static final String USAGE = """
            Usage: tandem-benchmark [options] [-- COMMAND ARGS...]

            A latency benchmark for Redis-protocol servers that keeps the whole latency spectrum
            (HdrHistogram) and, with --rate, corrects for coordinated omission (latency is
            measured from when each request should have been sent, as wrk2 does).

            Target:
              -h HOST               server host (default 127.0.0.1)
              -p PORT               server port (default 6379)
              -a PASSWORD           password (AUTH); --user NAME for an ACL user
              --timeout SECS        give up when no reply arrives for this long (default 10)
            Workload:
              -c CLIENTS            connections (default 50)
              -P PIPELINE           requests in flight per connection (default 1)
              -t TESTS              comma-separated: ping,set,get,incr,lpush,rpush,rpop,lpop,
                                    sadd,hset,zadd,lrange (lrange_100|_300|_500|_600),mset,mixed
                                    (default ping,set,get,incr,lpush,rpop,sadd,hset,zadd,lrange,mset)
              -n REQUESTS           requests per test (default 100000)
              --duration SECS       run each test for this long instead of -n
              -d SIZE               value size in bytes (default 3)
              -r RANGE              keys are key:<12 digits> in [0, RANGE) (default: one key)
              --key-pattern P       uniform | zipf:<s> | sequential (default uniform)
              --ratio SET:GET       mix of the 'mixed' test (default 1:10)
              --threads N           client I/O threads (default 1)
              -- CMD ARGS...        a custom command template instead of -t; __rand_int__ becomes a
                                    key number (-r, --key-pattern), __data__ the -d byte value
            Timing:
              --rate OPS            fixed aggregate rate (open loop): each request has an intended
                                    send time; latency = reply time - intended time. -P caps the
                                    requests in flight per connection. Without --rate: closed loop.
              --warmup SECS         run this long before measuring (default 0)
            Output:
              --hdr-out FILE        HdrHistogram interval log (.hlog), one tag per test
              --plot FILE.png       latency percentile spectrum, one line per test/target
              --json                print a JSON summary on stdout instead of the text report
              --progress            progress line on stderr even when it is not a terminal
              -q                    no progress line
            Comparisons:
              --compare HOST:PORT   run every test alternately against the target and this server
              --rounds N            alternations for --compare (default 3); -n/--duration are split
            Replication:
              --replica HOST:PORT   while the tests run, write probes to the target and measure when
                                    they become visible on this replica (and WAIT 1 round trips)
            Accuracy:
              --self-test           run against an in-process trivial RESP server (every request
                                    answered +OK) to measure the tool's own latency floor
              --help                this text
            """;

    String host = "127.0.0.1";
    int port = 6379;
    String password;
    String user;
    int clients = 50;
    int pipeline = 1;
    List<String> tests = new ArrayList<>(List.of(
            "ping", "set", "get", "incr", "lpush", "rpop", "sadd", "hset", "zadd", "lrange", "mset"));
    boolean testsGiven;
    long requests = 100_000;
    boolean requestsGiven;
    double durationSecs;
    int dataSize = 3;
    long keyRange = 1;
    boolean keyRangeGiven;
    String keyPattern = "uniform";
    int ratioSet = 1;
    int ratioGet = 10;
    int threads = 1;
    List<String> customCommand;
    double rate;
    double warmupSecs;
    String hdrOut;
    String plot;
    boolean json;
    boolean progress;
    boolean quiet;
    String compareHost;
    int comparePort;
    int rounds = 3;
    String replicaHost;
    int replicaPort;
    boolean selfTest;
    double timeoutSecs = 10;
    boolean help;

    static Options parse(String[] args) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                o.customCommand = new ArrayList<>();
                for (int j = i + 1; j < args.length; j++) o.customCommand.add(args[j]);
                if (o.customCommand.isEmpty()) throw new UsageException("'--' must be followed by a command");
                break;
            }
            String inline = null;
            if (a.startsWith("--") && a.indexOf('=') > 0) {
                inline = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            switch (a) {
                case "-h", "--host" -> o.host = value(args, i += step(inline), a, inline);
                case "-p", "--port" -> o.port = (int) integer(value(args, i += step(inline), a, inline), a, 1, 65535);
                case "-a", "--password" -> o.password = value(args, i += step(inline), a, inline);
                case "--user" -> o.user = value(args, i += step(inline), a, inline);
                case "-c", "--clients" -> o.clients = (int) integer(value(args, i += step(inline), a, inline), a, 1, 100_000);
                case "-P", "--pipeline" -> o.pipeline = (int) integer(value(args, i += step(inline), a, inline), a, 1, 100_000);
                case "-t", "--tests" -> {
                    o.tests = new ArrayList<>();
                    for (String t : value(args, i += step(inline), a, inline).split(",")) {
                        t = t.trim().toLowerCase(Locale.ROOT);
                        if (!t.isEmpty()) o.tests.add(t);
                    }
                    if (o.tests.isEmpty()) throw new UsageException("-t needs at least one test");
                    for (String t : o.tests) Workload.checkTestName(t);
                    o.testsGiven = true;
                }
                case "-n", "--requests" -> {
                    o.requests = integer(value(args, i += step(inline), a, inline), a, 1, Long.MAX_VALUE / 4);
                    o.requestsGiven = true;
                }
                case "--duration" -> o.durationSecs = decimal(value(args, i += step(inline), a, inline), a, 0.001);
                case "-d", "--data-size" -> o.dataSize = (int) integer(value(args, i += step(inline), a, inline), a, 0, 512 * 1024 * 1024);
                case "-r", "--keyspace" -> {
                    o.keyRange = integer(value(args, i += step(inline), a, inline), a, 1, 999_999_999_999L);
                    o.keyRangeGiven = true;
                }
                case "--key-pattern" -> {
                    o.keyPattern = value(args, i += step(inline), a, inline);
                    KeyPattern.parse(o.keyPattern); // validates
                }
                case "--ratio" -> {
                    String v = value(args, i += step(inline), a, inline);
                    String[] parts = v.split(":");
                    if (parts.length != 2) throw new UsageException("--ratio wants SET:GET, e.g. 1:10, not '" + v + "'");
                    o.ratioSet = (int) integer(parts[0], a, 0, 1_000_000);
                    o.ratioGet = (int) integer(parts[1], a, 0, 1_000_000);
                    if (o.ratioSet + o.ratioGet == 0) throw new UsageException("--ratio 0:0 sends nothing");
                }
                case "--threads" -> o.threads = (int) integer(value(args, i += step(inline), a, inline), a, 1, 1024);
                case "--rate" -> o.rate = decimal(value(args, i += step(inline), a, inline), a, 0.001);
                case "--warmup" -> o.warmupSecs = decimal(value(args, i += step(inline), a, inline), a, 0);
                case "--hdr-out" -> o.hdrOut = value(args, i += step(inline), a, inline);
                case "--plot" -> o.plot = value(args, i += step(inline), a, inline);
                case "--json" -> o.json = true;
                case "--progress" -> o.progress = true;
                case "-q", "--quiet" -> o.quiet = true;
                case "--compare" -> {
                    String v = value(args, i += step(inline), a, inline);
                    int colon = v.lastIndexOf(':');
                    if (colon <= 0) throw new UsageException("--compare wants HOST:PORT, not '" + v + "'");
                    o.compareHost = v.substring(0, colon);
                    o.comparePort = (int) integer(v.substring(colon + 1), a, 1, 65535);
                }
                case "--rounds" -> o.rounds = (int) integer(value(args, i += step(inline), a, inline), a, 1, 1000);
                case "--replica" -> {
                    String v = value(args, i += step(inline), a, inline);
                    int colon = v.lastIndexOf(':');
                    if (colon <= 0) throw new UsageException("--replica wants HOST:PORT, not '" + v + "'");
                    o.replicaHost = v.substring(0, colon);
                    o.replicaPort = (int) integer(v.substring(colon + 1), a, 1, 65535);
                }
                case "--self-test" -> o.selfTest = true;
                case "--timeout" -> o.timeoutSecs = decimal(value(args, i += step(inline), a, inline), a, 0.1);
                case "--help", "-help", "-?" -> o.help = true;
                default -> throw new UsageException("unknown option '" + args[i] + "'");
            }
        }
        if (o.durationSecs > 0 && o.requestsGiven) {
            throw new UsageException("-n and --duration exclude each other");
        }
        if (o.customCommand != null && o.testsGiven) {
            throw new UsageException("-t and a '-- COMMAND' template exclude each other");
        }
        return o;
    }

    private static String value(String[] args, int i, String opt, String inline) throws UsageException {
        if (inline != null) return inline;
        if (i >= args.length) throw new UsageException(opt + " needs a value");
        return args[i];
    }

    private static int step(String inline) {
        return inline == null ? 1 : 0;
    }

    private static long integer(String v, String opt, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " wants a whole number, not '" + v + "'");
        }
        if (n < min || n > max) throw new UsageException(opt + " must be between " + min + " and " + max + ", not " + n);
        return n;
    }

    private static double decimal(String v, String opt, double min) throws UsageException {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " wants a number, not '" + v + "'");
        }
        if (!(d >= min) || Double.isInfinite(d)) throw new UsageException(opt + " must be at least " + min + ", not " + v);
        return d;
    }

    boolean durationMode() {
        return durationSecs > 0;
    }

    String target() {
        return host + ":" + port;
    }
}
