package lanes.engine;

import jdk.jfr.FlightRecorder;

/**
 * Whether JFR runs in this JVM. Lanes touches its event classes only when it does: loading a JFR event
 * class makes JFR instrument it, which costs a command-line tool about 0.1 s of start-up for events
 * nobody records. Code on the hot paths calls {@link #active()} (a static field read) and keeps every
 * event type out of its own bytecode, so that not even the verifier loads them.
 */
public final class JfrSupport {
    private JfrSupport() {}

    /** True once a flight recording has been started in this JVM (at launch or attached later). */
    public static boolean active() {
        return FlightRecorder.isInitialized();
    }
}
