// A persistent pool of worker threads for splitting one kernel call across cores. Workers spin
// briefly after each task (training issues kernel calls back to back, and waking a sleeping
// thread costs tens of microseconds), then sleep on a condition variable.
#pragma once

/** A task part: `part` runs from 0 to parts − 1; part 0 runs on the calling thread. */
using TaskPart = void (*)(void* context, int part);

/** Threads one call may use (the caller plus the workers): min(2, hardware threads), or BACKPROP_NATIVE_THREADS. */
int poolThreadCount();

/**
 * Runs fn(context, part) for every part < parts (parts ≤ poolThreadCount()) and returns when all are
 * done. When the pool is busy (another JavaScript thread is inside a call), runs the parts one
 * after another on the calling thread instead.
 */
void runParallel(TaskPart fn, void* context, int parts);
