package io.tandem.server.commands;

import io.tandem.server.PubSub;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;

import java.util.List;

/**
 * SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE PUBLISH SPUBLISH and
 * PUBSUB CHANNELS | NUMSUB | NUMPAT | SHARDCHANNELS | SHARDNUMSUB | HELP, as Redis 7.0 (pubsub.c).
 * The registry and the reply shapes live in {@link PubSub}; RESP2 subscriber-mode limits are the
 * dispatcher's.
 */
public final class PubSubCommands {
    private PubSubCommands() {}

    public static void register(CommandTable t) {
        t.register("subscribe", c -> pubsub(c).subscribe(c.client, c.out, c.argv, 1));
        t.register("psubscribe", c -> pubsub(c).psubscribe(c.client, c.out, c.argv, 1));
        t.register("ssubscribe", c -> pubsub(c).ssubscribe(c.client, c.out, c.argv, 1));
        t.register("unsubscribe", c -> pubsub(c).unsubscribe(c.client, c.out, c.argv, 1));
        t.register("punsubscribe", c -> pubsub(c).punsubscribe(c.client, c.out, c.argv, 1));
        t.register("sunsubscribe", c -> pubsub(c).sunsubscribe(c.client, c.out, c.argv, 1));
        t.register("publish", c -> c.out.integer(pubsub(c).publish(c.arg(1), c.arg(2))));
        t.register("spublish", c -> c.out.integer(pubsub(c).spublish(c.arg(1), c.arg(2))));
        t.register("pubsub|channels", c -> channels(c, false));
        t.register("pubsub|shardchannels", c -> channels(c, true));
        t.register("pubsub|numsub", c -> numsub(c, false));
        t.register("pubsub|shardnumsub", c -> numsub(c, true));
        t.register("pubsub|numpat", c -> c.out.integer(pubsub(c).numpat()));
        t.register("pubsub|help", PubSubCommands::help);
    }

    private static PubSub pubsub(Call c) {
        return c.server.pubsub();
    }

    private static void channels(Call c, boolean shard) {
        if (c.argc() > 3) throw syntax(c);
        List<byte[]> names = pubsub(c).channels(c.argc() > 2 ? c.arg(2) : null, shard);
        c.out.array(names.size());
        for (byte[] n : names) c.out.bulk(n);
    }

    /** Redis answers a flat array (channel, count, ...) in both protocols, not a map. */
    private static void numsub(Call c, boolean shard) {
        c.out.array((c.argc() - 2) * 2L);
        for (int i = 2; i < c.argc(); i++) {
            c.out.bulk(c.arg(i));
            c.out.integer(pubsub(c).numsub(c.arg(i), shard));
        }
    }

    /** Redis's addReplySubcommandSyntaxError. */
    private static CommandError syntax(Call c) {
        return new CommandError("ERR unknown subcommand or wrong number of arguments for '"
                + c.str(1) + "'. Try PUBSUB HELP.");
    }

    private static void help(Call c) {
        String[] lines = {
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help."
        };
        c.out.array(lines.length);
        for (String l : lines) c.out.simple(l);
    }
}
