package io.warden.json;

/** A document that is not valid JSON, or not of the expected shape; the message says where and why. */
public final class JsonException extends Exception {
    public JsonException(String message) {
        super(message);
    }
}
