// A persistent pool of worker threads for splitting one kernel call across cores. A call's parts
// are claimed one at a time by whichever thread is free, the caller included, so a worker that the
// operating system has not scheduled (two cores shared with other processes) never holds the call
// up: the caller runs the unclaimed parts itself. Idle workers spin briefly (training issues kernel
// calls back to back, and waking a sleeping thread costs tens of microseconds), then sleep. A caller
// whose parts are done polls for 50 µs, then sleeps until the last part finishes: a worker that was
// preempted in the middle of its part can then be moved to the caller's core instead of waiting
// for its own (1.5× faster mlp-wide steps with a busy process pinned to the other core).
#pragma once

/** A task part: fn(context, part) for part = 0 .. parts − 1, in any order, on any thread. */
using TaskPart = void (*)(void* context, int part);

/** Threads one call may use (the caller plus the workers): min(2, hardware threads), or BACKPROP_NATIVE_THREADS (1 or 2). */
int poolThreadCount();

/**
 * Runs fn(context, part) for every part < parts and returns when all are done. When the pool is
 * busy (another JavaScript thread is inside a call), runs the parts on the calling thread.
 */
void runParallel(TaskPart fn, void* context, int parts);
