package io.freshrank.serving;

/** A request the server answers with an error status; the message goes to the client. */
final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    RequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
