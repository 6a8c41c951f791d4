package lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A kernel C2 compiled while only one shape ran must stay allocation-free when other shapes arrive (a
 * service that loads a second model, or the default model warmed before the application's own).
 *
 * <p>The hazard: C2 compiles a method with the blocks no profile reached left out; a new shape reaches
 * one, the code is thrown away and recompiled at once, and the calls in that block still have no receiver
 * profile. A Vector API call whose receiver C2 cannot type exactly (a vector carried round a loop: its
 * type is the declared FloatVector there) is then a real virtual call, and every vector it touches is a
 * heap object, on every call, for good. The kernels avoid it by making every such receiver one whose type
 * C2 knows without a profile; this test runs one shape until the kernel is compiled, then the others.
 */
class ShapeChangeAllocationTest {
    private static final long DEADLINE_NANOS = 20_000_000_000L;

    private record Shape(String name, Runnable run) {}

    @Test
    void maxPoolingAllocatesNothingAfterANewShape() {
        Kernels k = TestSupport.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(31);
        float[] x = ConvCases.data(r, 0, 12 * 12 * 40, 0), y = new float[12 * 12 * 40];
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape("2x2 on 16 channels", () -> k.maxPool2d(1, 12, 12, 16, 2, 2, 2, 2, 0, 0, 6, 6, x, 0, y, 0)));
        for (int ch : new int[] {6, 16, 17, 40}) {
            shapes.add(new Shape("3x3 stride 2 padded on " + ch + " channels",
                    () -> k.maxPool2d(1, 12, 12, ch, 3, 3, 2, 2, 1, 1, 6, 6, x, 0, y, 0)));
            shapes.add(new Shape("2x2 on " + ch + " channels", () -> k.maxPool2d(1, 12, 12, ch, 2, 2, 2, 2, 0, 0, 6, 6, x, 0, y, 0)));
        }
        assertSteadyAfterNewShapes(shapes);
    }

    @Test
    void convolutionAllocatesNothingAfterANewShape() {
        Kernels k = TestSupport.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(32);
        float[] x = ConvCases.data(r, 0, 14 * 14 * 17, 0), w = ConvCases.data(r, 0, 5 * 5 * 17 * 33, 0);
        float[] b = ConvCases.data(r, 0, 33, 0), y = new float[14 * 14 * 33];
        Kernels.Workspace ws = new Kernels.Workspace();
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape("5x5 1 -> 6", () -> k.conv2d(1, 14, 14, 1, 6, 5, 5, 1, 1, 0, 0, 10, 10, x, 0, w, 0, b, 0, y, 0, ws)));
        int[][] cases = {{6, 16, 5, 1, 0}, {17, 33, 3, 1, 1}, {16, 32, 3, 2, 1}, {3, 8, 3, 1, 1}, {1, 33, 3, 1, 0}, {17, 6, 5, 1, 2}};
        for (int[] c : cases) {
            int inC = c[0], outC = c[1], kk = c[2], s = c[3], pad = c[4];
            int out = (14 + 2 * pad - kk) / s + 1;
            shapes.add(new Shape(kk + "x" + kk + " stride " + s + " pad " + pad + " " + inC + " -> " + outC,
                    () -> k.conv2d(1, 14, 14, inC, outC, kk, kk, s, s, pad, pad, out, out, x, 0, w, 0, b, 0, y, 0, ws)));
        }
        // the joined ReLU and pooling: one pass for 1 channel into 3..6 filters, the three kernels otherwise
        for (int outC : new int[] {6, 3, 5, 16}) {
            shapes.add(new Shape("5x5 1 -> " + outC + ", relu, 2x2 pool",
                    () -> k.conv2dReluPool(1, 14, 14, 1, outC, 5, 5, 1, 1, 2, 2, 14, 14, x, 0, w, 0, b, 0, y, 0, ws)));
        }
        shapes.add(new Shape("3x3 6 -> 16 valid, relu, 2x2 pool",
                () -> k.conv2dReluPool(1, 14, 14, 6, 16, 3, 3, 1, 1, 0, 0, 12, 12, x, 0, w, 0, b, 0, y, 0, ws)));
        assertSteadyAfterNewShapes(shapes);
    }

    @Test
    void denseAllocatesNothingAfterANewShape() {
        Kernels k = TestSupport.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(33);
        float[] x = new float[784];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(5) == 0 ? r.nextFloat() : 0f;
        float[] w = TestSupport.nonZeros(r, 784 * 200), y = new float[200], bias = TestSupport.nonZeros(r, 200);
        Kernels.Workspace ws = new Kernels.Workspace();
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape("784 -> 128", () -> dense(k, ws, 784, 128, x, w, bias, y)));
        for (int n : new int[] {10, 16, 20, 33, 84, 120, 130, 200}) shapes.add(new Shape("784 -> " + n, () -> dense(k, ws, 784, n, x, w, bias, y)));
        for (int n : new int[] {10, 5, 128}) shapes.add(new Shape("128 -> " + n, () -> dense(k, ws, 128, n, x, w, bias, y)));
        assertSteadyAfterNewShapes(shapes);
    }

    @Test
    void bf16RowsAllocateNothingAfterANewShape() {
        Kernels k = TestSupport.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(35);
        float[] x = new float[784];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(5) == 0 ? r.nextFloat() : 0f;
        float[] y = new float[300];
        List<Shape> shapes = new ArrayList<>();
        // whole 128-column passes first (the fast MLP's layer), then single groups, part-groups, narrow rows
        for (int n : new int[] {128, 40, 200, 32, 300, 10, 256}) {
            int[] packed = Bf16.pack(TestSupport.nonZeros(r, 784 * n), 784, n);
            shapes.add(new Shape("bf16 784 -> " + n, () -> k.matmulSkipZerosBf16Row(n, 784, x, 0, packed, y, 0)));
        }
        assertSteadyAfterNewShapes(shapes);
    }

    @Test
    void activationsAndOutputsAllocateNothingAfterANewShape() {
        Kernels k = TestSupport.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(34);
        float[] x = TestSupport.nonZeros(r, 1000), y = new float[1000];
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape("10 outputs", () -> outputs(k, 10, x, y)));
        for (int n : new int[] {5, 16, 20, 100, 1000}) shapes.add(new Shape(n + " outputs", () -> outputs(k, n, x, y)));
        assertSteadyAfterNewShapes(shapes);
    }

    private static void dense(Kernels k, Kernels.Workspace ws, int in, int n, float[] x, float[] w, float[] bias, float[] y) {
        k.matmulSkipZeros(1, n, in, x, 0, in, w, 0, n, y, 0, n, false, ws);
        k.addBias(1, n, y, 0, bias, 0);
        k.reluForward(n, y, 0, y, 0);
    }

    private static void outputs(Kernels k, int n, float[] x, float[] y) {
        k.sigmoid(n, x, 0, y, 0);
        k.tanh(n, x, 0, y, 0);
        k.softmaxRows(1, n, x, 0, y, 0);
        y[0] += k.argmax(n, y, 0);
    }

    /** The first shape until its kernels allocate nothing (compiled), then all of them until they do too. */
    private static void assertSteadyAfterNewShapes(List<Shape> shapes) {
        var counter = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counter here");
        long first = steadyBytes(counter, shapes.subList(0, 1));
        assertEquals(0, first, "bytes per round of " + shapes.get(0).name() + " alone after warm-up");
        long all = steadyBytes(counter, shapes);
        if (all == 0) return;
        StringBuilder which = new StringBuilder();
        for (Shape s : shapes) which.append("\n  ").append(s.name()).append(": ").append(bytes(counter, s.run(), 50)).append(" B / 50 calls");
        assertEquals(0, all, "bytes per round once new shapes came after the first was compiled:" + which);
    }

    private static long steadyBytes(com.sun.management.ThreadMXBean counter, List<Shape> shapes) {
        long end = System.nanoTime() + DEADLINE_NANOS, bytes;
        Runnable[] runs = shapes.stream().map(Shape::run).toArray(Runnable[]::new); // no iterator per round
        Runnable round = () -> {
            for (int i = 0; i < 50; i++) for (int s = 0; s < runs.length; s++) runs[s].run();
        };
        do {
            bytes = bytes(counter, round, 1);
        } while (bytes != 0 && System.nanoTime() - end < 0);
        return bytes;
    }

    private static long bytes(com.sun.management.ThreadMXBean counter, Runnable run, int times) {
        long id = Thread.currentThread().threadId(), before = counter.getThreadAllocatedBytes(id);
        for (int i = 0; i < times; i++) run.run();
        return counter.getThreadAllocatedBytes(id) - before;
    }
}
