package io.tandem.server.net;

import io.netty.channel.EventLoop;
import io.tandem.server.exec.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands work from the event loops to the executor in batches: everything the connections of one
 * event loop produce during one loop iteration (decoded commands, connects, disconnects,
 * protocol errors) is queued here in order and given to the executor as ONE task when the
 * iteration's I/O is done (Netty runs tasks submitted from the loop after its I/O). Under load
 * that is one queue hand-off and at most one executor wake-up per iteration, not one per
 * connection. Per-connection order is the order of {@link #submit} calls, which is preserved.
 */
final class Handoff {
    private static final Logger log = LoggerFactory.getLogger(Handoff.class);

    private final Executor executor;
    private final ConcurrentHashMap<EventLoop, Batch> batches = new ConcurrentHashMap<>();

    Handoff(Executor executor) {
        this.executor = executor;
    }

    /** Queues work for the executor. Must be called on {@code loop}. */
    void submit(EventLoop loop, Runnable work) {
        Batch b = batches.computeIfAbsent(loop, Batch::new);
        b.items.add(work);
        if (!b.scheduled) {
            b.scheduled = true;
            loop.execute(b);
        }
    }

    /** The pending work of one event loop; touched by that loop's thread only. */
    private final class Batch implements Runnable {
        private ArrayList<Runnable> items = new ArrayList<>();
        private boolean scheduled;

        Batch(EventLoop loop) {
        }

        @Override
        public void run() {
            scheduled = false;
            ArrayList<Runnable> work = items;
            if (work.isEmpty()) return;
            items = new ArrayList<>(Math.max(4, work.size()));
            if (work.size() == 1) {
                executor.execute(work.get(0));
                return;
            }
            executor.execute(() -> {
                for (int i = 0; i < work.size(); i++) {
                    try {
                        work.get(i).run();
                    } catch (RuntimeException e) {
                        log.error("Unexpected error in the executor (please report it)", e);
                    }
                }
            });
        }
    }
}
