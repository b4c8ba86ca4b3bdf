package io.tandem.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Configures logging from the {@code logfile} and {@code loglevel} directives: stdout when
 * logfile is empty, else appended to the file. No logback.xml: the configuration is Redis's.
 */
public final class Logging {
    private Logging() {}

    /** Redis loglevel name to logback level. */
    public static Level level(String loglevel) {
        return switch (loglevel) {
            case "debug" -> Level.TRACE;
            case "verbose" -> Level.DEBUG;
            case "warning" -> Level.WARN;
            case "nothing" -> Level.OFF;
            default -> Level.INFO; // notice
        };
    }

    public static void configure(String logfile, String loglevel, Supplier<Character> role) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        RedisLogLayout layout = new RedisLogLayout(role);
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
        enc.setContext(ctx);
        enc.setLayout(layout);
        enc.start();
        OutputStreamAppender<ILoggingEvent> app;
        if (logfile == null || logfile.isEmpty()) {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setImmediateFlush(true);
            app = c;
        } else {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(logfile);
            f.setAppend(true);
            f.setImmediateFlush(true);
            app = f;
        }
        app.setContext(ctx);
        app.setName("redis");
        app.setEncoder(enc);
        app.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(app);
        root.setLevel(level(loglevel));
        // Libraries speak only when it matters.
        ctx.getLogger("io.netty").setLevel(Level.WARN);
        ctx.getLogger("net.openhft").setLevel(Level.WARN);
    }

    /** CONFIG SET loglevel. */
    public static void setLevel(String loglevel) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level(loglevel));
    }
}
