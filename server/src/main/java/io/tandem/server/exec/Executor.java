package io.tandem.server.exec;

import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that owns the keyspace. Everything that reads or changes data, or session
 * state that commands see, runs here, one task at a time, so every command (and every
 * MULTI/EXEC) is atomic exactly as in Redis's single-threaded design.
 *
 * <p>Network threads only decode requests and write encoded replies; they hand work over
 * through a lock-free multi-producer queue. The loop:
 * <pre>
 *   run tasks from the queue ──► clients that got replies are marked dirty
 *       │ every 64 tasks, and whenever the queue runs dry:
 *       ├─► flush dirty clients (one writeAndFlush each)
 *       └─► cron (at hz): active expiry, timeouts, stats
 *   queue empty ──► spin briefly, then park until a producer unparks or the next cron is due
 * </pre>
 */
public final class Executor {
    private static final Logger log = LoggerFactory.getLogger(Executor.class);
    /** Busy-wait iterations before parking when the queue runs dry (trades CPU for wake-up latency). */
    private static final int SPINS = Integer.getInteger("tandem.executor.spins", 200);

    private final Queue<Runnable> queue = PlatformDependent.newMpscQueue();
    private final ArrayList<Client> dirty = new ArrayList<>();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean running = true;
    private Runnable cron = () -> {};
    /** Background work done when the queue is empty; returns true while more remains. */
    private java.util.function.BooleanSupplier idleWork = () -> false;
    /** Bounded background work also run every 64 tasks, so it progresses under constant load (snapshot walks). */
    private Runnable batchWork = () -> { };
    private volatile Runnable beforeFlush;
    private long cronPeriodNanos = TimeUnit.MILLISECONDS.toNanos(100);
    private long nextCron;
    /** One-shot timers (blocking timeouts, end of CLIENT PAUSE), by due time; executor thread only. */
    private final java.util.PriorityQueue<Timer> timers = new java.util.PriorityQueue<>();
    private long timerSeq;

    private record Timer(long due, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            long d = due - o.due;
            return d != 0 ? Long.signum(d) : Long.compare(seq, o.seq);
        }
    }

    public Executor() {
        thread = new Thread(this::loop, "tandem-executor");
    }

    public void start(Runnable cron, int hz) {
        this.cron = cron;
        setHz(hz);
        nextCron = System.nanoTime() + cronPeriodNanos;
        thread.start();
    }

    public void setIdleWork(java.util.function.BooleanSupplier work) {
        this.idleWork = work;
    }

    /**
     * Runs at the start of every {@link #flushDirty}, before replies are handed to the network
     * (Redis's beforeSleep flushAppendOnlyFile): what it makes durable precedes the replies.
     */
    public void setBeforeFlush(Runnable work) {
        this.beforeFlush = work;
    }

    /**
     * Runs at the start of every {@link #flushDirty}, before {@link #setBeforeFlush}'s work: the
     * disk backlog commits the batch's stream bytes before the AOF writes them, so after any
     * crash the backlog holds at least what the AOF holds.
     */
    public void setBeforeAof(Runnable work) {
        this.beforeAof = work;
    }

    private volatile Runnable beforeAof;

    public void setBatchWork(Runnable work) {
        this.batchWork = work;
    }

    public void setHz(int hz) {
        cronPeriodNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, Math.min(500, hz));
    }

    /** True once {@link #start} ran and until the loop ends. */
    public boolean started() {
        return thread.isAlive();
    }

    public boolean inExecutor() {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues a task; safe from any thread.
     *
     * <p>The fence matters: the queue's offer is a release store, and without a full fence the
     * read of {@code parked} below may be ordered before it — the executor then sees an empty
     * queue, parks, and nobody wakes it until the next cron tick (a lost wakeup, seen as 10+ ms
     * latencies). The executor side stores {@code parked} (volatile) before re-checking the queue.
     */
    public void execute(Runnable task) {
        queue.offer(task);
        java.lang.invoke.VarHandle.fullFence();
        if (parked) LockSupport.unpark(thread);
    }

    /** Runs a task on the executor and waits for its result (startup, shutdown, tests). */
    public <T> T call(java.util.concurrent.Callable<T> task) throws Exception {
        if (inExecutor()) return task.call();
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    /** Marks a client as having reply bytes to flush at the end of this batch. Executor thread. */
    public void markDirty(Client c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /**
     * Runs a task on this thread once {@code delayNanos} have passed (as soon as the queue lets
     * it, with the precision of a park: about a millisecond). Executor thread only.
     */
    public void schedule(long delayNanos, Runnable task) {
        timers.add(new Timer(System.nanoTime() + delayNanos, timerSeq++, task));
    }

    private void runTimers() {
        long now = System.nanoTime();
        boolean ran = false;
        while (!timers.isEmpty() && timers.peek().due - now <= 0) {
            runSafely(timers.poll().task);
            ran = true;
        }
        if (ran) flushDirty();
    }

    public void stop() {
        running = false;
        LockSupport.unpark(thread);
    }

    public void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    private void loop() {
        int sinceFlush = 0;
        while (running) {
            Runnable task = queue.poll();
            if (task != null) {
                runSafely(task);
                if (++sinceFlush >= 64) {
                    sinceFlush = 0;
                    flushDirty();
                    maybeCron();
                    runSafely(batchWork);
                }
                continue;
            }
            sinceFlush = 0;
            flushDirty();
            maybeCron();
            if (queue.isEmpty()) idle();
        }
        // Drain what is left so shutdown replies and final tasks run.
        Runnable task;
        while ((task = queue.poll()) != null) runSafely(task);
        flushDirty();
    }

    private void idle() {
        if (runIdleWork()) return;
        for (int i = 0; i < SPINS; i++) {
            if (!queue.isEmpty()) return;
            Thread.onSpinWait();
        }
        parked = true;
        try {
            if (queue.isEmpty() && running) {
                long wake = timers.isEmpty() || nextCron - timers.peek().due < 0 ? nextCron : timers.peek().due;
                long wait = wake - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(this, wait);
            }
        } finally {
            parked = false;
        }
    }

    private boolean runIdleWork() {
        try {
            return idleWork.getAsBoolean();
        } catch (Throwable t) {
            log.error("Unexpected error in background work (please report it)", t);
            return false;
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            // A bug in one command must not kill the server's only data thread.
            log.error("Unexpected error in the executor (please report it)", t);
        }
    }

    private void maybeCron() {
        if (!timers.isEmpty()) runTimers();
        long now = System.nanoTime();
        if (now - nextCron >= 0) {
            nextCron = now + cronPeriodNanos;
            runSafely(cron);
        }
    }

    /**
     * Hands every dirty client's reply to the network with one task per event loop (not one
     * {@code writeAndFlush} per client): under load that is one cross-thread wake-up per loop per
     * batch instead of one per client.
     */
    public void flushDirty() {
        if (beforeAof != null) runSafely(beforeAof);
        if (beforeFlush != null) runSafely(beforeFlush);
        int n = dirty.size();
        if (n == 0) return;
        if (n == 1) {
            dirty.get(0).flush();
            dirty.clear();
            return;
        }
        java.util.IdentityHashMap<io.netty.channel.EventLoop, ArrayList<Object>> byLoop = new java.util.IdentityHashMap<>(4);
        for (int i = 0; i < n; i++) {
            Client c = dirty.get(i);
            if (c.channel == null || c.closeAfterReply || c.closed) {
                c.flush(); // internal clients and closes keep the direct path (closed is executor state)
                continue;
            }
            c.dirty = false;
            io.netty.buffer.ByteBuf out = c.takeOutput();
            if (out == null) continue;
            ArrayList<Object> batch = byLoop.computeIfAbsent(c.channel.eventLoop(), k -> new ArrayList<>());
            batch.add(c);
            batch.add(out);
        }
        dirty.clear();
        byLoop.forEach((loop, batch) -> loop.execute(() -> {
            for (int i = 0; i < batch.size(); i += 2) {
                ((Client) batch.get(i)).writeBatched((io.netty.buffer.ByteBuf) batch.get(i + 1));
            }
            for (int i = 0; i < batch.size(); i += 2) ((Client) batch.get(i)).channel.flush();
        }));
    }
}
