package lanes.serve;

/**
 * A request the server answers with an error status and {@code {"error": message}}: thrown anywhere
 * below a route, turned into the response by {@link Server}. Never carries a stack trace to the client;
 * the trace is not even filled in (these are expected outcomes, not bugs).
 */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    /** Extra header for the response ("Allow" for 405, "Retry-After" for 429/503), or null. */
    final String header, headerValue;
    /** The route the request was for, when known before the error (405): the metrics count it there. */
    Route route;

    HttpError(int status, String message) {
        this(status, message, null, null);
    }

    HttpError(int status, String message, String header, String headerValue) {
        super(message, null, false, false);
        this.status = status;
        this.header = header;
        this.headerValue = headerValue;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError methodNotAllowed(String method, String allowed) {
        return new HttpError(405, "method " + method + " is not allowed here; use " + allowed, "Allow", allowed);
    }
}
