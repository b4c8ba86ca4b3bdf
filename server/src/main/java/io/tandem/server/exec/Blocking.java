package io.tandem.server.exec;

import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.LongDouble;
import io.tandem.server.util.DbKey;
import io.tandem.storage.resp.RespWriter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Clients blocked on keys (Redis 7.0's blocked.c): BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK... all
 * park here. Executor thread only. Nothing here knows a data type: a blocking command supplies
 * a {@link Retry} that tries to serve its client.
 *
 * <h2>API for blocking commands</h2>
 * <pre>{@code
 *   // BLPOP key [key ...] timeout
 *   long deadline = Blocking.deadline(c, c.argc() - 1);   // parses and validates the timeout
 *   for (key : keys) if (tryPop(c, key)) return;           // served at once: reply, done
 *   c.server.blocking().block(c, keys, deadline, (call, readyKey) -> tryPop(call, readyKey));
 *   // the handler returns without replying; the client is now blocked
 * }</pre>
 * <ul>
 *   <li>{@link #deadline(Call, int)}: Redis's getTimeoutFromObjectOrReply in seconds (a double):
 *       an absolute deadline in ms on the keyspace clock, 0 for "forever"; errors
 *       {@code ERR timeout is not a float or out of range}, {@code ERR timeout is negative}
 *       (a deadline past the end of time is "forever", as Redis 7.0's overflowed one).</li>
 *   <li>{@link #block}: parks the client (its later commands wait in {@link Client#deferred}).
 *       If the client may not block ({@link Client#denyBlocking}: inside EXEC; the AOF loader's
 *       client must set it too, as Redis's fake AOF client does) it writes the timeout reply at
 *       once and returns false. Commands whose "nothing
 *       available in MULTI" reply differs from their timeout reply ask {@link #canBlock} first.</li>
 *   <li>The {@link Retry} runs when a key it waits on was signalled ready
 *       ({@link Server#signalKeyAsReady}, called by every write that adds data a blocked client
 *       may take: LPUSH, ZADD, XADD, RENAME onto the key...). It runs as the client's command —
 *       {@code call.client}, {@code call.argv}, {@code call.spec}, {@code call.out} are those of
 *       the blocked command, in the database it blocked in — with the dispatcher's bookkeeping
 *       afterwards: keys touched for WATCH when dirty went up, propagation of what it set with
 *       {@link Call#propagateAs} (a served BLPOP must propagate as LPOP, as Redis 7.0 does), and
 *       keyspace events it fires. It returns true after writing the reply (the client is
 *       unblocked), or false to keep waiting. A {@link CommandError} it throws becomes the
 *       client's reply and unblocks it.</li>
 *   <li>Timeout: the reply is a null array ({@code *-1}, RESP3 {@code _}), or what the
 *       {@code onTimeout} overload writes.</li>
 * </ul>
 *
 * <h2>Order and timing</h2>
 * Clients blocked on a key are served first-blocked-first-served. Ready keys are served after
 * the command that signalled them ({@link #afterCommand}, called by the dispatcher after each
 * command a client sent, so after EXEC as a whole); a replica applying its master's stream
 * through {@link Dispatcher#process} gets the same, one that calls {@link Dispatcher#execute}
 * directly must call {@link #afterCommand} itself. For each ready key the waiting clients are
 * tried in order while the key exists. Once unblocked, a client's deferred commands run.
 * Timeouts are checked by an executor timer at the earliest deadline (millisecond precision) and
 * by cron at {@code hz} as a fallback.
 */
public final class Blocking {
    /** Tries to serve a blocked client; see the class comment. */
    @FunctionalInterface
    public interface Retry {
        boolean serve(Call call, byte[] readyKey);
    }

    private static final Consumer<RespWriter> NULL_ARRAY = RespWriter::nullArray;

    private static final class Blocked {
        final Client client;
        final DbKey[] keys;
        final long deadline;
        final long seq;
        final Retry retry;
        final CommandSpec spec;
        final byte[][] argv;
        final Consumer<RespWriter> onTimeout;
        boolean done;

        Blocked(Client client, DbKey[] keys, long deadline, long seq, Retry retry, CommandSpec spec, byte[][] argv,
                Consumer<RespWriter> onTimeout) {
            this.client = client;
            this.keys = keys;
            this.deadline = deadline;
            this.seq = seq;
            this.retry = retry;
            this.spec = spec;
            this.argv = argv;
            this.onTimeout = onTimeout;
        }
    }

    private final Server server;
    private final Map<DbKey, ArrayDeque<Blocked>> byKey = new HashMap<>();
    private final IdentityHashMap<Client, Blocked> byClient = new IdentityHashMap<>();
    private final PriorityQueue<Blocked> timeouts = new PriorityQueue<>(
            (a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private final LinkedHashSet<DbKey> ready = new LinkedHashSet<>();
    /** Clients just unblocked (served, timed out, CLIENT UNBLOCK, end of a pause) whose deferred commands must run. */
    private final ArrayDeque<Client> unblocked = new ArrayDeque<>();
    private long seq;
    private boolean draining;
    /** Deadline (ms) the executor timer is set for, or Long.MAX_VALUE. */
    private long timerAt = Long.MAX_VALUE;

    public Blocking(Server server) {
        this.server = server;
    }

    // ------------------------------------------------------------------ blocking a client

    /**
     * Parses argument i as a blocking timeout in seconds (Redis's getTimeoutFromObjectOrReply):
     * returns the absolute deadline in ms, or 0 for no timeout.
     */
    private static final java.math.BigDecimal TWO_TO_63 = new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(63));

    public static long deadline(Call c, int i) {
        // string2ld (strtold: hex floats, inf...), then (long long)(ftval * 1000.0)
        LongDouble d = LongDouble.parse(c.arg(i));
        if (d == null) throw new CommandError("ERR timeout is not a float or out of range");
        // C's (long long) conversion of a value out of range (inf included) yields LLONG_MIN: "negative".
        if (d.isInfinite()) throw new CommandError("ERR timeout is negative");
        java.math.BigDecimal ms = d.toBigDecimal().scaleByPowerOfTen(3);
        if (ms.compareTo(java.math.BigDecimal.ONE.negate()) <= 0 || ms.compareTo(TWO_TO_63) >= 0) {
            throw new CommandError("ERR timeout is negative");
        }
        long t = ms.longValue(); // truncates toward zero, as C: -0.0009 s is 0 (no timeout)
        if (t == 0) return 0;
        long now = c.now();
        // Redis 7.0 adds without a check (7.2 says "timeout is out of range"): the deadline wraps
        // negative, sorts last in its timeout radix tree as an unsigned key, and never fires.
        if (t > Long.MAX_VALUE - now) return 0;
        return now + t;
    }

    /** Whether this client may block now (not inside EXEC, a script, or AOF loading). */
    public boolean canBlock(Client c) {
        return !c.denyBlocking;
    }

    /** {@link #block(Call, byte[][], long, Retry, Consumer)} with a null-array timeout reply. */
    public boolean block(Call call, byte[][] keys, long deadlineMs, Retry retry) {
        return block(call, keys, deadlineMs, retry, NULL_ARRAY);
    }

    /** {@link #block(Call, byte[][], long, Retry, Consumer)} for keys given as a list. */
    public boolean block(Call call, List<byte[]> keys, long deadlineMs, Retry retry) {
        return block(call, keys.toArray(new byte[0][]), deadlineMs, retry, NULL_ARRAY);
    }

    /**
     * Blocks the calling client on keys of its database until a {@link Retry} serves it or the
     * deadline (ms, keyspace clock; 0 = never) passes.
     *
     * @return true if the client is now blocked (the handler must not reply); false if blocking
     *     is not allowed here, in which case {@code onTimeout} has written the reply
     */
    public boolean block(Call call, byte[][] keys, long deadlineMs, Retry retry, Consumer<RespWriter> onTimeout) {
        Client c = call.client;
        if (!canBlock(c)) {
            onTimeout.accept(call.out);
            return false;
        }
        if (byClient.containsKey(c)) throw new IllegalStateException("client " + c.id + " is already blocked");
        LinkedHashSet<DbKey> distinct = new LinkedHashSet<>();
        for (byte[] k : keys) distinct.add(new DbKey(c.db, k));
        Blocked b = new Blocked(c, distinct.toArray(new DbKey[0]), deadlineMs, seq++, retry, call.spec, call.argv, onTimeout);
        for (DbKey k : b.keys) byKey.computeIfAbsent(k, x -> new ArrayDeque<>()).add(b);
        byClient.put(c, b);
        c.blocked = true;
        if (deadlineMs > 0) {
            timeouts.add(b);
            armTimer(deadlineMs);
        }
        return true;
    }

    /** Whether the client is blocked on keys (not merely held by CLIENT PAUSE). */
    public boolean isBlockedOnKeys(Client c) {
        return byClient.containsKey(c);
    }

    /** Clients blocked on keys (INFO). */
    public int blockedOnKeys() {
        return byClient.size();
    }

    /** Clients blocked with a timeout (INFO clients_in_timeout_table). */
    public int withTimeout() {
        int n = 0;
        for (Blocked b : byClient.values()) if (b.deadline > 0) n++;
        return n;
    }

    // ------------------------------------------------------------------ waking clients

    /** A write made data available under this key: clients blocked on it are tried after the command. */
    public void signalKeyAsReady(int db, byte[] key) {
        if (byKey.isEmpty()) return;
        DbKey k = new DbKey(db, key);
        if (byKey.containsKey(k)) ready.add(k);
    }

    /**
     * Queues a client whose block ended elsewhere (end of a CLIENT PAUSE) so its deferred
     * commands run after the current command.
     */
    public void resume(Client c) {
        unblocked.add(c);
    }

    /**
     * Redis's handleClientsBlockedOnKeys + processUnblockedClients: serves ready keys, then runs
     * the deferred commands of unblocked clients, until neither is left. Called by the
     * dispatcher after each command a client sent; re-entrant calls (from those deferred
     * commands) return at once and the outer loop continues.
     */
    public void afterCommand() {
        if (draining || (ready.isEmpty() && unblocked.isEmpty())) return;
        draining = true;
        try {
            while (!ready.isEmpty() || !unblocked.isEmpty()) {
                while (!ready.isEmpty()) {
                    List<DbKey> batch = new ArrayList<>(ready);
                    ready.clear();
                    for (DbKey k : batch) serveKey(k);
                }
                Client c = unblocked.poll();
                if (c != null && !c.closed && !c.blocked) server.dispatcher().runDeferred(c);
            }
        } finally {
            draining = false;
        }
    }

    private void serveKey(DbKey k) {
        ArrayDeque<Blocked> q = byKey.get(k);
        if (q == null) return;
        for (Blocked b : new ArrayList<>(q)) {
            if (b.done) continue;
            if (!server.keyspace().db(k.db).exists(k.key)) return;
            if (tryServe(b, k.key)) finish(b);
        }
    }

    /** Runs the retry as the client's command; true if the client got a reply. */
    private boolean tryServe(Blocked b, byte[] key) {
        Client c = b.client;
        boolean[] outcome = {true}; // an error thrown by the retry is a reply too
        server.dispatcher().executeAs(c, b.spec, b.argv, call -> outcome[0] = b.retry.serve(call, key));
        return outcome[0];
    }

    private void finish(Blocked b) {
        unblock(b);
        server.executor().markDirty(b.client);
        unblocked.add(b.client);
    }

    private void unblock(Blocked b) {
        b.done = true;
        byClient.remove(b.client);
        for (DbKey k : b.keys) {
            ArrayDeque<Blocked> q = byKey.get(k);
            if (q == null) continue;
            q.remove(b);
            if (q.isEmpty()) byKey.remove(k);
        }
        b.client.blocked = false;
    }

    // ------------------------------------------------------------------ timeouts, CLIENT UNBLOCK, disconnect

    /** Answers clients whose deadline passed; cron and the executor timer call it. */
    public void checkTimeouts() {
        long now = server.keyspace().now();
        while (!timeouts.isEmpty()) {
            Blocked b = timeouts.peek();
            if (!b.done && b.deadline > now) break;
            timeouts.poll();
            if (b.done) continue;
            b.onTimeout.accept(b.client.out());
            finish(b);
        }
        while (!timeouts.isEmpty() && timeouts.peek().done) timeouts.poll();
        if (!timeouts.isEmpty()) armTimer(timeouts.peek().deadline);
        afterCommand();
    }

    private void armTimer(long deadlineMs) {
        if (deadlineMs >= timerAt) return;
        timerAt = deadlineMs;
        long delayMs = Math.max(0, deadlineMs - server.keyspace().now());
        server.executor().schedule(TimeUnit.MILLISECONDS.toNanos(delayMs), () -> {
            if (timerAt == deadlineMs) timerAt = Long.MAX_VALUE;
            checkTimeouts();
        });
    }

    /**
     * CLIENT UNBLOCK: answers a client blocked on keys as on timeout, or with
     * {@code -UNBLOCKED client unblocked via CLIENT UNBLOCK}. False if it is not blocked on keys.
     */
    public boolean unblockByCommand(Client target, boolean error) {
        Blocked b = byClient.get(target);
        if (b == null) return false;
        if (error) server.dispatcher().error(target, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
        else b.onTimeout.accept(target.out());
        finish(b);
        return true;
    }

    /** A client went away: forget its block without a reply. */
    public void removeClient(Client c) {
        Blocked b = byClient.get(c);
        if (b != null) unblock(b);
        unblocked.remove(c);
    }
}
