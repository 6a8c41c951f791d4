package lanes.serve;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The server's JFR event, {@code lanes.Request}, beside the engine's lanes.ModelLoad and lanes.Predict.
 * The server touches this class only when a recording runs ({@code JfrSupport.active()}) and holds the
 * event as an Object, so without JFR not even the verifier loads it.
 */
final class ServeEvents {
    private ServeEvents() {}

    static Object begin() {
        Request e = new Request();
        e.begin();
        return e;
    }

    static void end(Object event, Route route, int status) {
        Request e = (Request) event;
        e.end();
        if (e.shouldCommit()) {
            e.endpoint = route.label;
            e.status = status;
            e.commit();
        }
    }

    @Name("lanes.Request")
    @Label("Request")
    @Category({"Lanes", "Serve"})
    @Description("One HTTP request to tools/serve: its endpoint, status and duration")
    @Enabled(false)
    @StackTrace(false)
    static final class Request extends Event {
        @Label("Endpoint") String endpoint;
        @Label("Status") int status;
    }
}
