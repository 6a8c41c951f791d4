package lanes.engine;

import java.util.Arrays;

/**
 * Cold-start latency in a fresh JVM: load a bundled model (the argument: mnist, the default, or mnist-fast;
 * warmed on load unless -Dlanes.warmUp=false),
 * then time the first call, calls 1–1000, and the median of calls 1000–2000 (the steady state). Prints
 * one line of key=value pairs in microseconds. Run by ColdStartTest; by hand for docs/benchmarks.md.
 */
public final class ColdStart {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        String name = args.length > 0 ? args[0] : "mnist";
        Model m = Model.loadBundled(name);
        long loaded = System.nanoTime();
        float[] x = new float[m.inputSize()];
        for (int i = 0; i < x.length; i++) x[i] = ((i * 7919) % 101) / 100f * (i % 3 == 0 ? 1 : 0);
        long[] ns = new long[2001];
        long sink = 0;
        for (int i = 0; i < ns.length; i++) {
            x[i % x.length] = (i % 7) / 7f; // a slightly different image each call
            long a = System.nanoTime();
            sink += m.predict(x);
            ns[i] = System.nanoTime() - a;
        }
        long first1000 = 0;
        for (int i = 0; i < 1000; i++) first1000 += ns[i];
        long[] steady = Arrays.copyOfRange(ns, 1000, 2001);
        Arrays.sort(steady);
        System.out.printf("model=" + name + " warmUp=%s load+warmUp=%.0f first=%.1f first1000=%.0f median1000to2000=%.2f kernels=%s sink=%d%n",
                Model.warmsOnLoad(), (loaded - t0) / 1e3, ns[0] / 1e3, first1000 / 1e3, steady[steady.length / 2] / 1e3,
                m.kernels(), sink);
    }
}
