package lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every public kernel entry point, in both implementations, rejects each kind of bad operand with an
 * {@link IllegalArgumentException} that names the operand, and writes nothing before it throws.
 */
class ArgumentChecksTest {

    /** A way to break a valid argument list, and the word the exception message must contain. */
    record Breakage(String description, String operand, UnaryOperator<Object[]> apply) {}

    /** A public method (of {@link Kernels}, or of {@link Gemm} when {@code facade}), valid arguments and breakages. */
    record Spec(String method, boolean facade, Object[] valid, List<Breakage> breakages) {}

    private static final float SENTINEL = 31.5f;

    // ---- building blocks --------------------------------------------------------------------

    private static float[] floats(SplittableRandom r, int length) {
        return TestSupport.nonZeros(r, length);
    }

    private static float[] sentinels(int length) {
        float[] x = new float[length];
        Arrays.fill(x, SENTINEL);
        return x;
    }

    private static Breakage set(int index, Object value, String operand, String description) {
        return new Breakage(description, operand, args -> { args[index] = value; return args; });
    }

    private static Breakage shorter(int index, String operand) {
        return new Breakage(operand + " one element too short", operand, args -> {
            Object x = args[index];
            args[index] = x instanceof float[] f ? Arrays.copyOf(f, f.length - 1)
                    : x instanceof byte[] b ? Arrays.copyOf(b, b.length - 1)
                    : Arrays.copyOf((int[]) x, ((int[]) x).length - 1);
            return args;
        });
    }

    /** Too short, null, negative offset, offset one too far, offset near Integer.MAX_VALUE. */
    private static List<Breakage> array(int index, int offIndex, String operand) {
        return List.of(
                shorter(index, operand),
                set(index, null, operand, operand + " null"),
                set(offIndex, -1, operand, "offset of " + operand + " negative"),
                new Breakage("offset of " + operand + " one too far", operand, args -> { args[offIndex] = (int) args[offIndex] + 1; return args; }),
                set(offIndex, Integer.MAX_VALUE - 2, operand, "offset of " + operand + " near Integer.MAX_VALUE"));
    }

    /** As {@link #array}, plus a leading dimension one below the row length and one absurdly large. */
    private static List<Breakage> matrix(int index, int offIndex, int ldIndex, int rowLength, String operand) {
        List<Breakage> list = new ArrayList<>(array(index, offIndex, operand));
        list.add(set(ldIndex, rowLength - 1, operand, "leading dimension of " + operand + " below its row length"));
        list.add(set(ldIndex, Integer.MAX_VALUE, operand, "leading dimension of " + operand + " Integer.MAX_VALUE"));
        return list;
    }

    private static List<Breakage> negative(String... dims) {
        List<Breakage> list = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) if (dims[i] != null) list.add(set(i, -1, dims[i], dims[i] + " negative"));
        return list;
    }

    @SafeVarargs
    private static List<Breakage> all(List<Breakage>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).toList();
    }

    // ---- the specs --------------------------------------------------------------------------

    /** GEMM arguments: m n k, a aOff lda, b bOff ldb, c cOff ldc, accumulate (then skipZeros for the facade). */
    private static Spec gemm(String method, boolean transA, boolean transB, boolean facade, boolean withSkip) {
        SplittableRandom r = new SplittableRandom(method.hashCode());
        int m = 5, n = 6, k = 7;
        int ra = transA ? k : m, ca = transA ? m : k, rb = transB ? n : k, cb = transB ? k : n;
        int aOff = 3, lda = ca + 2, bOff = 2, ldb = cb + 1, cOff = 4, ldc = n + 3;
        float[] a = floats(r, aOff + (ra - 1) * lda + ca);
        float[] b = floats(r, bOff + (rb - 1) * ldb + cb);
        float[] c = sentinels(cOff + (m - 1) * ldc + n);
        List<Object> valid = new ArrayList<>(List.of(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false));
        if (withSkip) valid.add(false);
        return new Spec(method, facade, valid.toArray(), all(
                negative("m", "n", "k"),
                matrix(3, 4, 5, ca, "A"),
                matrix(6, 7, 8, cb, "B"),
                matrix(9, 10, 11, n, "C")));
    }

    /** The same call with a caller-owned workspace appended, and a null workspace as one more breakage. */
    private static Spec withWorkspace(Spec spec) {
        Object[] valid = Arrays.copyOf(spec.valid(), spec.valid().length + 1);
        valid[valid.length - 1] = new Kernels.Workspace();
        List<Breakage> breakages = new ArrayList<>(spec.breakages());
        breakages.add(set(valid.length - 1, null, "workspace", "workspace null"));
        return new Spec(spec.method(), spec.facade(), valid, breakages);
    }

    /**
     * matmulTransAAdam(m, n, k, a, aOff, lda, b, bOff, ldb, skipZeros, param, pOff, ldp, mom, vel,
     * lr, beta1, beta2, epsilon, step): A stored [k×m], B [k×n], param, mom and vel [m×n] at pOff, ldp apart.
     */
    private static Spec gemmAdam(SplittableRandom r) {
        int m = 5, n = 6, k = 7, aOff = 3, lda = m + 2, bOff = 2, ldb = n + 1, pOff = 4, ldp = n + 3;
        int pLength = pOff + (m - 1) * ldp + n;
        float[] vel = floats(r, pLength);
        for (int i = 0; i < vel.length; i++) vel[i] = Math.abs(vel[i]);
        Object[] valid = {m, n, k, floats(r, aOff + (k - 1) * lda + m), aOff, lda, floats(r, bOff + (k - 1) * ldb + n), bOff, ldb,
                true, floats(r, pLength), pOff, ldp, floats(r, pLength), vel, 1e-3f, 0.9f, 0.999f, 1e-7f, 1L};
        return new Spec("matmulTransAAdam", false, valid, all(
                negative("m", "n", "k"),
                matrix(3, 4, 5, m, "A"),
                matrix(6, 7, 8, n, "B"),
                matrix(10, 11, 12, n, "param"),
                List.of(shorter(13, "m"), set(13, null, "m", "m null"), shorter(14, "v"), set(14, null, "v", "v null"),
                        set(15, Float.NaN, "lr", "NaN lr"), set(16, 1f, "beta1", "beta1 = 1"),
                        set(17, Float.NaN, "beta2", "NaN beta2"), set(18, 0f, "epsilon", "epsilon = 0"),
                        set(19, 0L, "step", "step 0 (steps are 1-based)"))));
    }

    /** Every geometry argument below its minimum (0 for rows and pads, 1 for the rest). */
    private static List<Breakage> belowMinimum(String... names) {
        List<Breakage> list = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            boolean zeroAllowed = names[i].equals("rows") || names[i].startsWith("pad");
            list.add(set(i, zeroAllowed ? -1 : 0, names[i], names[i] + (zeroAllowed ? " negative" : " zero")));
        }
        return list;
    }

    /**
     * conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
     * x, xOff, kernel, kOff, bias, bOff, y, yOff): 2 images of 5×6×3, a 3×2 kernel to 4 channels.
     */
    private static Spec conv2d(SplittableRandom r) {
        Object[] valid = {2, 5, 6, 3, 4, 3, 2, 1, 2, 1, 0, 4, 3,
                floats(r, 2 + 180), 2, floats(r, 1 + 72), 1, floats(r, 3 + 4), 3, sentinels(2 + 96), 2};
        return new Spec("conv2d", false, valid, all(
                belowMinimum("rows", "inH", "inW", "inC", "outC", "kH", "kW", "strideH", "strideW", "padTop", "padLeft", "outH", "outW"),
                array(13, 14, "x"), array(15, 16, "kernel"), array(17, 18, "bias"), array(19, 20, "y"),
                List.of(set(11, 1 << 30, "outH", "outH beyond int indexing"))));
    }

    /**
     * conv2dReluPool(the arguments of conv2d, workspace): conv2d's case, y the 2×1 pooled output of its
     * 4×3 convolution.
     */
    private static Spec conv2dReluPool(SplittableRandom r) {
        Object[] valid = {2, 5, 6, 3, 4, 3, 2, 1, 2, 1, 0, 4, 3,
                floats(r, 2 + 180), 2, floats(r, 1 + 72), 1, floats(r, 3 + 4), 3, sentinels(2 + 16), 2, new Kernels.Workspace()};
        return new Spec("conv2dReluPool", false, valid, all(
                belowMinimum("rows", "inH", "inW", "inC", "outC", "kH", "kW", "strideH", "strideW", "padTop", "padLeft", "outH", "outW"),
                array(13, 14, "x"), array(15, 16, "kernel"), array(17, 18, "bias"), array(19, 20, "y"),
                List.of(set(11, 1, "outH", "outH 1: no 2×2 window to pool"), set(12, 1, "outW", "outW 1"),
                        set(11, 1 << 30, "outH", "outH beyond int indexing"),
                        set(21, null, "workspace", "workspace null"))));
    }

    /**
     * maxPool2d(rows, inH, inW, channels, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW,
     * x, xOff, y, yOff): 2 images of 5×6×3 pooled 2×3 with strides 2, 3 and a top pad of 1.
     */
    private static Spec maxPool2d(SplittableRandom r) {
        Object[] valid = {2, 5, 6, 3, 2, 3, 2, 3, 1, 0, 3, 2, floats(r, 2 + 180), 2, sentinels(1 + 36), 1};
        return new Spec("maxPool2d", false, valid, all(
                belowMinimum("rows", "inH", "inW", "channels", "poolH", "poolW", "strideH", "strideW", "padTop", "padLeft", "outH", "outW"),
                array(12, 13, "x"), array(14, 15, "y"),
                List.of(set(8, 2, "padTop", "padTop as large as poolH (a window wholly in the padding)"),
                        set(9, 3, "padLeft", "padLeft as large as poolW"),
                        set(10, 4, "outH", "outH one too many: the last window starts below the image"),
                        set(11, 3, "outW", "outW one too many"))));
    }

    /**
     * maxPool2dBackward(rows, inH, inW, channels, pool, x, xOff, y, yOff, dy, dyOff, dx, dxOff): 2 images
     * of 5×6×3 pooled 2×2 (a row of cells outside every window).
     */
    private static Spec maxPool2dBackward(SplittableRandom r) {
        Object[] valid = {2, 5, 6, 3, 2, floats(r, 2 + 180), 2, floats(r, 1 + 36), 1, floats(r, 3 + 36), 3, sentinels(1 + 180), 1};
        return new Spec("maxPool2dBackward", false, valid, all(
                belowMinimum("rows", "inH", "inW", "channels", "pool"),
                array(5, 6, "x"), array(7, 8, "y"), array(9, 10, "dy"), array(11, 12, "dx"),
                List.of(set(1, 1, "inH", "inH below pool"), set(2, 1, "inW", "inW below pool"))));
    }

    static List<Spec> specs() {
        SplittableRandom r = new SplittableRandom(77);
        List<Spec> specs = new ArrayList<>();
        specs.add(gemm("matmul", false, false, false, false));
        specs.add(gemm("matmulTransA", true, false, false, false));
        specs.add(gemm("matmulTransB", false, true, false, false));
        specs.add(gemm("matmulSkipZeros", false, false, false, false));
        specs.add(gemm("matmulTransASkipZeros", true, false, false, false));
        specs.add(gemm("matmulSkipZerosByRow", false, false, false, false));
        specs.add(gemm("matmulTransASkipZerosByRow", true, false, false, false));
        specs.add(withWorkspace(gemm("matmulSkipZeros", false, false, false, false)));
        {
            // matmulSkipZerosBf16Row(n, k, a, aOff, b, c, cOff): b a packed 7×40 kernel
            SplittableRandom rb = new SplittableRandom(16);
            int bn = 40, bk = 7;
            specs.add(new Spec("matmulSkipZerosBf16Row", false,
                    new Object[] {bn, bk, floats(rb, 3 + bk), 3, Bf16.pack(floats(rb, bk * bn), bk, bn), sentinels(2 + bn), 2},
                    all(negative("n", "k"), array(2, 3, "a"), array(5, 6, "C"),
                            List.of(shorter(4, "B"), set(4, null, "B", "B null")))));
        }

        int m = 3, n = 5;
        // addBias(m, n, x, xOff, bias, biasOff)
        specs.add(new Spec("addBias", false, new Object[] {m, n, floats(r, 2 + m * n), 2, floats(r, 1 + n), 1},
                all(negative("m", "n"), array(2, 3, "x"), array(4, 5, "bias"))));
        // sumRows(m, n, x, xOff, out, outOff, accumulate)
        specs.add(new Spec("sumRows", false, new Object[] {m, n, floats(r, 2 + m * n), 2, sentinels(1 + n), 1, false},
                all(negative("m", "n"), array(2, 3, "x"), array(4, 5, "out"))));
        // reluForward(n, x, xOff, y, yOff)
        specs.add(new Spec("reluForward", false, new Object[] {n, floats(r, 2 + n), 2, sentinels(3 + n), 3},
                all(negative("n"), array(1, 2, "x"), array(3, 4, "y"))));
        // reluBackward(n, y, yOff, dy, dyOff, dx, dxOff)
        specs.add(new Spec("reluBackward", false, new Object[] {n, floats(r, 1 + n), 1, floats(r, 2 + n), 2, sentinels(3 + n), 3},
                all(negative("n"), array(1, 2, "y"), array(3, 4, "dy"), array(5, 6, "dx"))));
        // softmaxRows(m, n, x, xOff, y, yOff)
        specs.add(new Spec("softmaxRows", false, new Object[] {m, n, floats(r, 2 + m * n), 2, sentinels(1 + m * n), 1},
                all(negative("m", "n"), array(2, 3, "x"), array(4, 5, "y"))));
        // softmaxCrossEntropy(m, n, x, xOff, labels, labelsOff, probs, probsOff, grad, gradOff, gradScale)
        specs.add(new Spec("softmaxCrossEntropy", false,
                new Object[] {m, n, floats(r, 2 + m * n), 2, new int[] {9, 4, 0, 2}, 1, sentinels(1 + m * n), 1,
                        sentinels(3 + m * n), 3, 0.5f},
                all(negative("m", "n"), array(2, 3, "x"), array(4, 5, "labels"), array(6, 7, "probs"), array(8, 9, "grad"),
                        List.of(
                                set(4, new int[] {9, 4, n, 2}, "labels", "label equal to the class count"),
                                set(4, new int[] {9, 4, 0, -1}, "labels", "negative label"),
                                set(1, 0, "class", "no classes for some rows")))));
        // argmax(n, x, xOff)
        specs.add(new Spec("argmax", false, new Object[] {n, floats(r, 2 + n), 2},
                all(negative("n"), array(1, 2, "x"), List.of(set(0, 0, "n", "n = 0")))));
        // adam(n, param, pOff, grad, gOff, m, mOff, v, vOff, lr, beta1, beta2, epsilon, step)
        float[] v = floats(r, 4 + n);
        for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
        specs.add(new Spec("adam", false,
                new Object[] {n, floats(r, 1 + n), 1, floats(r, 2 + n), 2, floats(r, 3 + n), 3, v, 4, 1e-3f, 0.9f, 0.999f, 1e-7f, 1L},
                all(negative("n"), array(1, 2, "param"), array(3, 4, "grad"), array(5, 6, "m"), array(7, 8, "v"),
                        List.of(
                                set(9, -1e-3f, "lr", "negative lr"), set(9, Float.NaN, "lr", "NaN lr"),
                                set(9, Float.POSITIVE_INFINITY, "lr", "infinite lr"),
                                set(10, 1f, "beta1", "beta1 = 1"), set(10, -0.1f, "beta1", "negative beta1"),
                                set(10, Float.NaN, "beta1", "NaN beta1"),
                                set(11, 1f, "beta2", "beta2 = 1"), set(11, -0.1f, "beta2", "negative beta2"),
                                set(11, Float.NaN, "beta2", "NaN beta2"),
                                set(12, 0f, "epsilon", "epsilon = 0"), set(12, -1e-7f, "epsilon", "negative epsilon"),
                                set(12, Float.NaN, "epsilon", "NaN epsilon"),
                                set(13, 0L, "step", "step 0 (steps are 1-based)"), set(13, -1L, "step", "negative step")))));

        // unitBytes(n, src, srcOff, dst, dstOff)
        byte[] pixels = new byte[2 + n];
        r.nextBytes(pixels);
        specs.add(new Spec("unitBytes", false, new Object[] {n, pixels, 2, sentinels(1 + n), 1},
                all(negative("n"), array(1, 2, "src"), array(3, 4, "dst"))));
        specs.add(gemmAdam(r));
        specs.add(conv2d(r));
        specs.add(withWorkspace(conv2d(r)));
        specs.add(conv2dReluPool(r));
        specs.add(maxPool2d(r));
        specs.add(maxPool2dBackward(r));
        // sigmoid(n, x, xOff, y, yOff), tanh(n, x, xOff, y, yOff)
        for (String name : new String[] {"sigmoid", "tanh"}) {
            specs.add(new Spec(name, false, new Object[] {n, floats(r, 2 + n), 2, sentinels(3 + n), 3},
                    all(negative("n"), array(1, 2, "x"), array(3, 4, "y"))));
        }

        // The threaded facade checks before it splits the work.
        specs.add(gemm("matmul", false, false, true, true));
        specs.add(gemm("matmulTransA", true, false, true, true));
        specs.add(gemm("matmulTransB", false, true, true, false));
        return specs;
    }

    // ---- the tests --------------------------------------------------------------------------

    /** The public method of this name taking this many arguments (overloads differ in their count). */
    private static Method method(Class<?> owner, String name, int arity) {
        Method found = null;
        for (Method m : owner.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == arity && m.getDeclaringClass() != Object.class) {
                if (found != null) throw new AssertionError("overloaded with " + arity + " arguments: " + name);
                found = m;
            }
        }
        if (found == null) throw new AssertionError("no method " + owner.getSimpleName() + "." + name + " of " + arity + " arguments");
        return found;
    }

    private static Object[] deepCopy(Object[] args) {
        Object[] copy = args.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] instanceof float[] f) copy[i] = f.clone();
            else if (copy[i] instanceof int[] x) copy[i] = x.clone();
            else if (copy[i] instanceof byte[] x) copy[i] = x.clone();
        }
        return copy;
    }

    private static Object invoke(Kernels kern, Spec spec, Object[] args) throws Throwable {
        try {
            if (spec.facade()) {
                try (BatchScheduler scheduler = new BatchScheduler(3)) {
                    return method(Gemm.class, spec.method(), args.length).invoke(new Gemm(kern, scheduler), args);
                }
            }
            return method(Kernels.class, spec.method(), args.length).invoke(kern, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void assertArraysUnchanged(Object[] before, Object[] after, String what) {
        for (int i = 0; i < before.length; i++) {
            if (before[i] instanceof float[] f) TestSupport.assertBitsEqual(f, (float[]) after[i], what + ": argument " + i);
            else if (before[i] instanceof int[] x) assertTrue(Arrays.equals(x, (int[]) after[i]), what + ": argument " + i);
            else if (before[i] instanceof byte[] x) assertTrue(Arrays.equals(x, (byte[]) after[i]), what + ": argument " + i);
        }
    }

    private static boolean namesWord(String message, String word) {
        return message != null
                && Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(word) + "(?![A-Za-z0-9_])").matcher(message).find();
    }

    @TestFactory
    Stream<DynamicNode> everyOperandIsCheckedBeforeAnyWrite() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (Kernels kern : TestSupport.implementations()) {
            for (Spec spec : specs()) {
                List<DynamicNode> tests = new ArrayList<>();
                String name = (spec.facade() ? "Gemm." : "") + spec.method();
                tests.add(dynamicTest("valid arguments are accepted", () -> invoke(kern, spec, deepCopy(spec.valid()))));
                for (Breakage breakage : spec.breakages()) {
                    tests.add(dynamicTest(breakage.description(), () -> {
                        Object[] args = breakage.apply().apply(deepCopy(spec.valid()));
                        Object[] before = deepCopy(args);
                        String what = kern.name() + " " + name + ", " + breakage.description();
                        try {
                            invoke(kern, spec, args);
                            fail(what + ": no exception");
                        } catch (IllegalArgumentException e) {
                            assertTrue(namesWord(e.getMessage(), breakage.operand()),
                                    what + ": the message should name " + breakage.operand() + ": " + e.getMessage());
                        } catch (Throwable t) {
                            throw new AssertionError(what + ": expected IllegalArgumentException, got " + t, t);
                        }
                        assertArraysUnchanged(before, args, what);
                    }));
                }
                nodes.add(dynamicContainer(kern.name() + " " + name, tests));
            }
        }
        return nodes.stream();
    }

    @Test
    void everyKernelsMethodHasASpec() {
        Set<String> covered = specs().stream().filter(s -> !s.facade()).map(Spec::method).collect(Collectors.toCollection(TreeSet::new));
        Set<String> declared = Arrays.stream(Kernels.class.getMethods()).map(Method::getName)
                .filter(nm -> !nm.equals("name") && !nm.equals("vectorBits")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, covered);
        Set<String> facade = specs().stream().filter(Spec::facade).map(Spec::method).collect(Collectors.toCollection(TreeSet::new));
        Set<String> gemmMethods = Arrays.stream(Gemm.class.getDeclaredMethods())
                .filter(x -> java.lang.reflect.Modifier.isPublic(x.getModifiers()) && x.getName().startsWith("matmul"))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(gemmMethods, facade);
    }
}
