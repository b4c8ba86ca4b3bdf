package io.tandem.server;

import io.tandem.server.exec.Client;
import io.tandem.server.util.DbKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * WATCH (Redis 7.0's multi.c): optimistic locking for MULTI/EXEC. Executor thread only.
 *
 * <pre>
 *   index:    (db, key) ─► clients watching it        db->watched_keys
 *   byClient: client ─► its watched keys + dirty flag  c->watched_keys, CLIENT_DIRTY_CAS
 * </pre>
 *
 * <p>A client becomes dirty (its EXEC answers a null array) when a key it watches is
 * <ul>
 *   <li>changed by any write ({@link Server#keyTouched}, which the dispatcher calls for every key
 *       of a write that changed data, and the expiry listener for every key it deletes);</li>
 *   <li>found expired at EXEC though it was live at WATCH (Redis's isWatchedKeyExpired);</li>
 *   <li>in a database emptied by FLUSHDB/FLUSHALL while it existed, or in a database SWAPDB
 *       exchanged while it existed on either side ({@link Server#flushed}).</li>
 * </ul>
 * Whether a key existed before a flush is known without looking at the emptied database: each
 * watch remembers whether its key existed at WATCH, and any later change to the key would already
 * have made the client dirty and dropped its watches. So a watch still present at the flush still
 * describes the key, and {@link #flushed} works whether the caller reports the flush before or
 * after emptying (or, for SWAPDB, after swapping: then the key's presence in the database now is
 * its presence on the other side before the swap).
 *
 * <p>As in Redis 7.0, a client that becomes dirty drops all its watches at once, so a write pays
 * for a watched key once. The registry listens to key changes only while some key is watched:
 * with no WATCH in use the dispatcher does not even compute the keys of writes.
 */
public final class Watches implements Server.KeyListener {
    private record Watched(DbKey key, boolean existed) {}

    private static final class State {
        final List<Watched> keys = new ArrayList<>(2);
        boolean dirty;
    }

    private final Server server;
    private final Map<DbKey, List<Client>> index = new HashMap<>();
    private final IdentityHashMap<Client, State> byClient = new IdentityHashMap<>();
    private boolean listening;
    /** Set while this class itself reads keys (a read may delete an expired key and report it). */
    private boolean probing;

    public Watches(Server server) {
        this.server = server;
    }

    /** WATCH key in db for client c. */
    public void watch(Client c, int db, byte[] key) {
        State s = byClient.computeIfAbsent(c, k -> new State());
        if (s.dirty) return; // no point: EXEC will fail anyway (Redis returns OK too)
        DbKey k = new DbKey(db, key);
        for (Watched w : s.keys) if (w.key.equals(k)) return;
        boolean existed = exists(k);
        s.keys.add(new Watched(k, existed));
        index.computeIfAbsent(k, x -> new ArrayList<>(2)).add(c);
        if (!listening) {
            listening = true;
            server.addKeyListener(this);
        }
    }

    /** EXEC's check: true when the transaction must not run. */
    public boolean dirty(Client c) {
        State s = byClient.get(c);
        if (s == null) return false;
        if (s.dirty) return true;
        for (Watched w : new ArrayList<>(s.keys)) {
            // Live at WATCH, gone now without a write: it expired meanwhile (isWatchedKeyExpired).
            if (w.existed && !exists(w.key)) return true;
        }
        return s.dirty;
    }

    /** UNWATCH, EXEC, DISCARD, RESET, disconnect: forget the client's watches and dirty flag. */
    public void unwatch(Client c) {
        State s = byClient.remove(c);
        if (s != null) dropKeys(c, s);
    }

    /** Number of keys a client watches (CLIENT LIST watch=, tests). */
    public int watchedKeys(Client c) {
        State s = byClient.get(c);
        return s == null ? 0 : s.keys.size();
    }

    /** Distinct (db, key) pairs watched by anyone. */
    public int watchedKeyCount() {
        return index.size();
    }

    @Override
    public void touched(int db, byte[] key) {
        if (probing || index.isEmpty()) return;
        List<Client> cs = index.get(new DbKey(db, key));
        if (cs == null) return;
        for (Client c : new ArrayList<>(cs)) markDirty(c);
    }

    @Override
    public void flushed(int db) {
        if (index.isEmpty()) return;
        List<Client> victims = new ArrayList<>();
        for (Map.Entry<DbKey, List<Client>> e : index.entrySet()) {
            DbKey k = e.getKey();
            if (db != -1 && k.db != db) continue;
            boolean presentNow = exists(k);
            for (Client c : e.getValue()) {
                State s = byClient.get(c);
                for (Watched w : s.keys) {
                    if (w.key.equals(k) && (w.existed || presentNow)) victims.add(c);
                }
            }
        }
        for (Client c : victims) markDirty(c);
    }

    private void markDirty(Client c) {
        State s = byClient.get(c);
        if (s == null || s.dirty) return;
        s.dirty = true;
        dropKeys(c, s);
        s.keys.clear();
    }

    private void dropKeys(Client c, State s) {
        for (Watched w : s.keys) {
            List<Client> cs = index.get(w.key);
            if (cs == null) continue;
            cs.remove(c);
            if (cs.isEmpty()) index.remove(w.key);
        }
        if (index.isEmpty() && listening) {
            listening = false;
            server.removeKeyListener(this);
        }
    }

    /** Whether the key is live, without this read's own expiry deletion counting as a change. */
    private boolean exists(DbKey k) {
        boolean was = probing;
        probing = true;
        try {
            return server.keyspace().db(k.db).exists(k.key);
        } finally {
            probing = was;
        }
    }
}
