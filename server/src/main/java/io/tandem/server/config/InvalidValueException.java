package io.tandem.server.config;

/** A directive refused its arguments; the message is Redis's reason text. */
final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String message) {
        super(message, null, false, false);
    }
}
