#include "gemm.h"

#include <cstring>

#include "cpu.h"
#include "thread_pool.h"

namespace {

/** Products below this many floating-point operations (2·m·n·k) run on one thread: waking a worker costs more. */
constexpr double kParallelFlops = 1.0e6;
/** The same for the unpacked few-rows path, which streams B from cache and gains from two cores' caches sooner. */
constexpr double kParallelFlopsFewRows = 2.0e5;

struct GemmPath {
  GemmBlockFn block;
  MicroTile tile;
  GemmBlockFn fewRows;  // for m ≤ kFewRows, or null
  void (*small)(const GemmProblem&);  // for m·n·k ≤ kSmallWork, or null
};

const GemmPath& gemmPath() {
  static const GemmPath path = [] {
    switch (detectSimdLevel()) {
#ifndef BACKPROP_SCALAR_ONLY
      case SimdLevel::Avx512: return GemmPath{gemmBlockAvx512, microTileAvx512(), gemmFewRowsAvx512, gemmSmallAvx512};
      case SimdLevel::Avx2Fma: return GemmPath{gemmBlockAvx2, microTileAvx2(), nullptr, nullptr};
#endif
      default: return GemmPath{gemmBlockScalar, microTileScalar(), nullptr, nullptr};
    }
  }();
  return path;
}

/** Two halves of C, cut between rows (or columns) at `cut`, one per thread. */
struct HalvesTask {
  const GemmProblem* problem;
  GemmBlockFn block;
  bool cutRows;
  int cut;
};

void runHalf(void* context, int part) {
  const HalvesTask& task = *static_cast<const HalvesTask*>(context);
  const GemmProblem& g = *task.problem;
  if (task.cutRows) {
    if (part == 0) task.block(g, 0, task.cut, 0, g.n);
    else task.block(g, task.cut, g.m, 0, g.n);
  } else {
    if (part == 0) task.block(g, 0, g.m, 0, task.cut);
    else task.block(g, 0, g.m, task.cut, g.n);
  }
}

/** Half of `size`, rounded to a multiple of `unit`; 0 when the halves would not both be non-empty. */
int halfOnTileBoundary(int size, int unit) {
  int cut = (size / 2 + unit - 1) / unit * unit;
  return cut > 0 && cut < size ? cut : 0;
}

}  // namespace

void gemmF32(const GemmProblem& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0) {
    if (!g.accumulate) std::memset(g.c, 0, sizeof(float) * static_cast<size_t>(g.m) * g.n);
    return;
  }
  const GemmPath& path = gemmPath();
  const double flops = 2.0 * g.m * g.n * g.k;
  const bool small = path.small != nullptr && static_cast<long>(g.m) * g.n * g.k <= kSmallWork;
  // A small product whose B rows lie contiguous (no transposition to share out) takes the small
  // path even with few rows: its 16-column tiles waste fewer lanes on narrow C than the few-rows
  // path's 64-column blocks (measured: 3×16×16 took 92 ns there).
  if (small && !g.transB) {
    path.small(g);
    return;
  }
  if (path.fewRows != nullptr && g.m <= kFewRows && !(g.transA && g.transB)) {
    HalvesTask task{&g, path.fewRows, false, halfOnTileBoundary(g.n, 16)};
    if (poolThreadCount() > 1 && flops >= kParallelFlopsFewRows && task.cut > 0) runParallel(runHalf, &task, 2);
    else path.fewRows(g, 0, g.m, 0, g.n);
    return;
  }
  // After the few-rows path: the small path transposes a stored-[n,k] B once per call, which only
  // pays when that cost is shared by several rows of C.
  if (small) {
    path.small(g);
    return;
  }
  if (poolThreadCount() > 1 && flops >= kParallelFlops) {
    // Each half packs the whole of the operand it shares with the other half, so cut the larger
    // side: cutting rows repeats the packing of B (k·n values), cutting columns that of A (m·k).
    const bool preferRows = g.m >= g.n;
    int rowCut = halfOnTileBoundary(g.m, path.tile.rows);
    int colCut = halfOnTileBoundary(g.n, path.tile.columns);
    HalvesTask task{&g, path.block, true, 0};
    if (rowCut > 0 && (preferRows || colCut == 0)) task.cut = rowCut;
    else if (colCut > 0) { task.cutRows = false; task.cut = colCut; }
    if (task.cut > 0) {
      runParallel(runHalf, &task, 2);
      return;
    }
  }
  path.block(g, 0, g.m, 0, g.n);
}

