package io.tandem.storage.resp;

/**
 * A request that breaks the RESP grammar. The message is the text after {@code ERR Protocol error: },
 * exactly as Redis 7.0 writes it ({@code invalid multibulk length}, {@code invalid bulk length},
 * {@code expected '$', got 'x'}, {@code unbalanced quotes in request}, ...). The connection that
 * sent it is answered with the error and closed, as Redis does.
 */
public final class RespProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public RespProtocolException(String message) {
        super(message, null, false, false);
    }
}
