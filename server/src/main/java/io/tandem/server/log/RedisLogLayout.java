package io.tandem.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Log lines in redis-server's format, which operators and harnesses grep:
 * <pre>
 *   12345:M 21 Nov 2026 10:00:00.000 * Ready to accept connections
 *   pid:role date                   level message
 * </pre>
 * Levels: {@code .} debug, {@code -} verbose, {@code *} notice, {@code #} warning. SLF4J TRACE
 * maps to debug, DEBUG to verbose, INFO to notice, WARN and ERROR to warning.
 */
public final class RedisLogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH).withZone(ZoneId.systemDefault());
    private static final long PID = ProcessHandle.current().pid();

    private final Supplier<Character> role;

    public RedisLogLayout(Supplier<Character> role) {
        this.role = role;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(PID).append(':').append(role.get()).append(' ');
        sb.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
        sb.append(levelChar(e.getLevel())).append(' ');
        sb.append(e.getFormattedMessage()).append('\n');
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) sb.append(ThrowableProxyUtil.asString(t)).append('\n');
        return sb.toString();
    }

    static char levelChar(Level level) {
        if (level.isGreaterOrEqual(Level.WARN)) return '#';
        if (level == Level.INFO) return '*';
        if (level == Level.DEBUG) return '-';
        return '.';
    }
}
