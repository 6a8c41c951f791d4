# GEMM GFLOP/s of NumPy (OpenBLAS when installed), for comparison with lanes.bench.GemmBench.
# Run single-threaded: OPENBLAS_NUM_THREADS=1 python3 bench/compare/numpy_gemm.py
import numpy as np, time, sys
try:
    from threadpoolctl import threadpool_info
    print(threadpool_info())
except Exception as e:
    print("threadpoolctl:", e)
for shape in ["32x784x128", "256x784x128", "1024x1024x1024"]:
    m, k, n = map(int, shape.split("x"))
    rng = np.random.default_rng(42)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    c = np.empty((m, n), np.float32)
    reps = max(3, int(2e9 / (2 * m * n * k)))
    for _ in range(reps): np.matmul(a, b, out=c)
    best = 1e9
    for trial in range(7):
        t0 = time.perf_counter()
        for _ in range(reps): np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / reps)
    print(f"{shape}: {2*m*n*k/best/1e9:.1f} GFLOP/s (best of 7 x {reps})")
