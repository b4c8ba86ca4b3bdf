package io.tandem.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.tandem.server.exec.Client;
import io.tandem.server.util.DbKey;
import io.tandem.storage.resp.RespWriter;
import io.tandem.storage.util.Glob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The pub/sub registry, as Redis 7.0's pubsub.c: who listens to which channel, pattern and shard
 * channel, delivery of PUBLISH / SPUBLISH and keyspace notifications, and the replies of the
 * (un)subscribe commands. Executor thread only.
 *
 * <pre>
 *   channels:  channel ─► clients (subscription order)      server.pubsub_channels
 *   patterns:  pattern ─► clients                            server.pubsub_patterns
 *   shards:    channel ─► clients                            server.pubsubshard_channels
 *   per client: its channels, patterns, shard channels (subscription order)
 * </pre>
 *
 * <p>Wire shapes (RESP2 {@code *}, RESP3 push {@code >}; Redis writes these exact bytes):
 * <pre>
 *   subscribe confirmation   [subscribe|psubscribe|ssubscribe, name, count]
 *   unsubscribe confirmation [unsubscribe|punsubscribe|sunsubscribe, name or nil, count]
 *   message                  [message, channel, payload]   (smessage for shard channels)
 *   pattern message          [pmessage, pattern, channel, payload]
 * </pre>
 * {@code count} is channels + patterns of the client (shard channels alone for the s-commands).
 * {@link Client#subscriptions} holds all three, so the dispatcher's subscriber-mode check and
 * CLIENT LIST's P flag follow Redis's CLIENT_PUBSUB flag.
 *
 * <p>Output buffer limit ({@code client-output-buffer-limit pubsub 32mb 8mb 60}): after a message
 * is written to a subscriber, its unsent output is measured as the reply bytes the executor has
 * not handed over yet ({@link Client#pendingBytes()}) plus what Netty holds for the channel and
 * has not written to the socket ({@link ChannelOutboundBuffer#totalPendingWriteBytes()}, a
 * volatile read, which with Netty's default also counts writes still queued to the event loop).
 * Past the hard limit, or past the soft limit for longer than its seconds, the client is closed
 * at once, its pending output dropped, as Redis does. The check runs when pub/sub messages are
 * delivered (the only replies that grow without the subscriber asking).
 */
public final class PubSub {
    private static final Logger log = LoggerFactory.getLogger(PubSub.class);

    private static final byte[] MESSAGE = bulk("message");
    private static final byte[] PMESSAGE = bulk("pmessage");
    private static final byte[] SMESSAGE = bulk("smessage");

    /** One of the three namespaces: channels, patterns, shard channels. */
    private enum Kind {
        CHANNEL("subscribe", "unsubscribe"),
        PATTERN("psubscribe", "punsubscribe"),
        SHARD("ssubscribe", "sunsubscribe");

        final byte[] subscribe;
        final byte[] unsubscribe;

        Kind(String sub, String unsub) {
            this.subscribe = bulk(sub);
            this.unsubscribe = bulk(unsub);
        }
    }

    /** A client's subscriptions, in subscription order. */
    private static final class Subs {
        final LinkedHashSet<DbKey> channels = new LinkedHashSet<>();
        final LinkedHashSet<DbKey> patterns = new LinkedHashSet<>();
        final LinkedHashSet<DbKey> shards = new LinkedHashSet<>();
        /** When the output first went past the soft limit (ms), 0 when under it. */
        long softLimitSince;

        LinkedHashSet<DbKey> of(Kind k) {
            return switch (k) {
                case CHANNEL -> channels;
                case PATTERN -> patterns;
                case SHARD -> shards;
            };
        }

        boolean isEmpty() {
            return channels.isEmpty() && patterns.isEmpty() && shards.isEmpty();
        }
    }

    private final Server server;
    private final Map<DbKey, LinkedHashSet<Client>> channels = new HashMap<>();
    /** Ordered so that deliveries to pattern subscribers follow a stable order. */
    private final Map<DbKey, LinkedHashSet<Client>> patterns = new LinkedHashMap<>();
    private final Map<DbKey, LinkedHashSet<Client>> shards = new HashMap<>();
    private final IdentityHashMap<Client, Subs> byClient = new IdentityHashMap<>();
    private final List<Client> overLimit = new ArrayList<>();

    private long hardLimit = 32L * 1024 * 1024;
    private long softLimit = 8L * 1024 * 1024;
    private long softSeconds = 60;

    public PubSub(Server server) {
        this.server = server;
    }

    /** {@code client-output-buffer-limit pubsub <hard> <soft> <seconds>}; 0 disables a limit. */
    public void setOutputBufferLimit(long hardBytes, long softBytes, long softSeconds) {
        this.hardLimit = hardBytes;
        this.softLimit = softBytes;
        this.softSeconds = softSeconds;
    }

    private Map<DbKey, LinkedHashSet<Client>> registry(Kind k) {
        return switch (k) {
            case CHANNEL -> channels;
            case PATTERN -> patterns;
            case SHARD -> shards;
        };
    }

    // ------------------------------------------------------------------ subscribe / unsubscribe

    /** SUBSCRIBE: one confirmation per channel, written to the client's reply. */
    public void subscribe(Client c, RespWriter out, byte[][] names, int from) {
        subscribe(c, out, names, from, Kind.CHANNEL);
    }

    public void psubscribe(Client c, RespWriter out, byte[][] names, int from) {
        subscribe(c, out, names, from, Kind.PATTERN);
    }

    public void ssubscribe(Client c, RespWriter out, byte[][] names, int from) {
        subscribe(c, out, names, from, Kind.SHARD);
    }

    /** UNSUBSCRIBE [channel ...]: with no names, from every channel (one confirmation each, or one with nil). */
    public void unsubscribe(Client c, RespWriter out, byte[][] names, int from) {
        unsubscribe(c, out, names, from, Kind.CHANNEL);
    }

    public void punsubscribe(Client c, RespWriter out, byte[][] names, int from) {
        unsubscribe(c, out, names, from, Kind.PATTERN);
    }

    public void sunsubscribe(Client c, RespWriter out, byte[][] names, int from) {
        unsubscribe(c, out, names, from, Kind.SHARD);
    }

    private void subscribe(Client c, RespWriter out, byte[][] names, int from, Kind kind) {
        Subs s = byClient.computeIfAbsent(c, k -> new Subs());
        for (int i = from; i < names.length; i++) {
            DbKey name = new DbKey(0, names[i]);
            if (s.of(kind).add(name)) {
                registry(kind).computeIfAbsent(name, k -> new LinkedHashSet<>()).add(c);
                c.subscriptions++;
            }
            out.push(3);
            out.raw(kind.subscribe);
            out.bulk(names[i]);
            out.integer(count(s, kind));
        }
        updateStats();
    }

    private void unsubscribe(Client c, RespWriter out, byte[][] names, int from, Kind kind) {
        Subs s = byClient.get(c);
        if (from >= names.length) {
            List<DbKey> all = s == null ? List.of() : new ArrayList<>(s.of(kind));
            for (DbKey name : all) {
                remove(c, s, name, kind);
                confirmUnsubscribe(out, kind, name.key, count(s, kind));
            }
            if (all.isEmpty()) confirmUnsubscribe(out, kind, null, s == null ? 0 : count(s, kind));
        } else {
            for (int i = from; i < names.length; i++) {
                if (s != null) remove(c, s, new DbKey(0, names[i]), kind);
                confirmUnsubscribe(out, kind, names[i], s == null ? 0 : count(s, kind));
            }
        }
        if (s != null && s.isEmpty()) byClient.remove(c);
        updateStats();
    }

    private static void confirmUnsubscribe(RespWriter out, Kind kind, byte[] name, long count) {
        out.push(3);
        out.raw(kind.unsubscribe);
        if (name == null) out.nullBulk();
        else out.bulk(name);
        out.integer(count);
    }

    private void remove(Client c, Subs s, DbKey name, Kind kind) {
        if (!s.of(kind).remove(name)) return;
        c.subscriptions--;
        Map<DbKey, LinkedHashSet<Client>> reg = registry(kind);
        LinkedHashSet<Client> set = reg.get(name);
        if (set != null) {
            set.remove(c);
            if (set.isEmpty()) reg.remove(name);
        }
    }

    /** The count Redis reports in confirmations: channels + patterns, or shard channels. */
    private static long count(Subs s, Kind kind) {
        return kind == Kind.SHARD ? s.shards.size() : s.channels.size() + s.patterns.size();
    }

    /** Drops every subscription of a client (disconnect, RESET), without replies. */
    public void removeClient(Client c) {
        Subs s = byClient.remove(c);
        if (s == null) return;
        for (Kind kind : Kind.values()) {
            Map<DbKey, LinkedHashSet<Client>> reg = registry(kind);
            for (DbKey name : s.of(kind)) {
                LinkedHashSet<Client> set = reg.get(name);
                if (set != null) {
                    set.remove(c);
                    if (set.isEmpty()) reg.remove(name);
                }
            }
        }
        c.subscriptions = 0;
        updateStats();
    }

    private void updateStats() {
        server.stats().pubsubChannels = channels.size();
        server.stats().pubsubPatterns = patterns.size();
    }

    // ------------------------------------------------------------------ publish

    /**
     * PUBLISH (and keyspace notifications): delivers to the channel's subscribers, then to every
     * client whose pattern matches, as Redis's pubsubPublishMessage. Returns the number of
     * deliveries (a client matching twice counts twice).
     */
    public int publish(byte[] channel, byte[] message) {
        int receivers = 0;
        LinkedHashSet<Client> subs = channels.get(new DbKey(0, channel));
        if (subs != null) {
            for (Client c : subs) {
                if (c.closed) continue;
                RespWriter out = c.out();
                out.push(3);
                out.raw(MESSAGE);
                out.bulk(channel);
                out.bulk(message);
                delivered(c);
                receivers++;
            }
        }
        if (!patterns.isEmpty()) {
            for (Map.Entry<DbKey, LinkedHashSet<Client>> e : patterns.entrySet()) {
                byte[] pattern = e.getKey().key;
                if (!Glob.match(pattern, channel, false)) continue;
                for (Client c : e.getValue()) {
                    if (c.closed) continue;
                    RespWriter out = c.out();
                    out.push(4);
                    out.raw(PMESSAGE);
                    out.bulk(pattern);
                    out.bulk(channel);
                    out.bulk(message);
                    delivered(c);
                    receivers++;
                }
            }
        }
        closeOverLimit();
        return receivers;
    }

    /** SPUBLISH: shard channel subscribers only (no patterns). */
    public int spublish(byte[] channel, byte[] message) {
        int receivers = 0;
        LinkedHashSet<Client> subs = shards.get(new DbKey(0, channel));
        if (subs != null) {
            for (Client c : subs) {
                if (c.closed) continue;
                RespWriter out = c.out();
                out.push(3);
                out.raw(SMESSAGE);
                out.bulk(channel);
                out.bulk(message);
                delivered(c);
                receivers++;
            }
        }
        closeOverLimit();
        return receivers;
    }

    private void delivered(Client c) {
        server.executor().markDirty(c);
        if (hardLimit <= 0 && softLimit <= 0) return;
        long used = c.pendingBytes() + unflushedNetworkBytes(c.channel);
        Subs s = byClient.get(c);
        if (s == null) return;
        boolean close = hardLimit > 0 && used >= hardLimit;
        if (!close && softLimit > 0 && used >= softLimit) {
            long now = server.keyspace().now();
            if (s.softLimitSince == 0) s.softLimitSince = now;
            else if (now - s.softLimitSince > softSeconds * 1000) close = true;
        } else if (softLimit > 0 && used < softLimit) {
            s.softLimitSince = 0;
        }
        if (close && !overLimit.contains(c)) overLimit.add(c);
    }

    /** Bytes Netty holds for the channel and has not written to the socket yet; any thread. */
    static long unflushedNetworkBytes(Channel ch) {
        if (ch == null) return 0;
        ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    /** Closes the subscribers that went past the output limit (after the delivery loops, which they would change). */
    private void closeOverLimit() {
        if (overLimit.isEmpty()) return;
        for (Client c : overLimit) {
            log.warn("Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.", c.id, c.addr());
            if (c.channel != null) c.channel.close();
            server.clientDisconnected(c);
        }
        overLimit.clear();
    }

    // ------------------------------------------------------------------ introspection (PUBSUB, CLIENT LIST)

    /** Channels (or shard channels) with at least one subscriber whose name matches pattern (null: all). */
    public List<byte[]> channels(byte[] pattern, boolean shard) {
        List<byte[]> out = new ArrayList<>();
        for (DbKey k : (shard ? shards : channels).keySet()) {
            if (pattern == null || Glob.match(pattern, k.key, false)) out.add(k.key);
        }
        return out;
    }

    /** Subscribers of a channel (or shard channel). */
    public int numsub(byte[] channel, boolean shard) {
        LinkedHashSet<Client> s = (shard ? shards : channels).get(new DbKey(0, channel));
        return s == null ? 0 : s.size();
    }

    /** Distinct patterns subscribed by any client. */
    public int numpat() {
        return patterns.size();
    }

    /** CLIENT LIST sub=, psub=, ssub=. */
    public int channelCount(Client c) {
        Subs s = byClient.get(c);
        return s == null ? 0 : s.channels.size();
    }

    public int patternCount(Client c) {
        Subs s = byClient.get(c);
        return s == null ? 0 : s.patterns.size();
    }

    public int shardCount(Client c) {
        Subs s = byClient.get(c);
        return s == null ? 0 : s.shards.size();
    }

    private static byte[] bulk(String s) {
        return ("$" + s.length() + "\r\n" + s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
