package io.warden.json;

/** A document that is not valid JSON, or not of the expected shape; the message says where and why. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
