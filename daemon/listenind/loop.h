/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's single event loop: one epoll set watching file descriptors,
 * periodic timers (timerfd) and signals (signalfd). Everything runs on the
 * one thread; callbacks must not block. A watch or timer may be removed from
 * any callback, including its own.
 */
#ifndef LISTENIND_LOOP_H
#define LISTENIND_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_watch;

typedef void (*loop_fd_fn)(void *ctx, int fd, uint32_t events);
typedef void (*loop_timer_fn)(void *ctx);
typedef void (*loop_signal_fn)(void *ctx, int signo);

struct loop *loop_new(void);
/* Closes nothing the caller registered; frees every watch and timer. */
void loop_free(struct loop *loop);

/* Watches fd for EPOLLIN/EPOLLOUT...; NULL with errno set on failure. */
struct loop_watch *loop_watch_fd(struct loop *loop, int fd, uint32_t events,
				 loop_fd_fn fn, void *ctx);
int loop_watch_set_events(struct loop *loop, struct loop_watch *w,
			  uint32_t events);
/* Stops watching; the fd stays open and belongs to the caller. */
void loop_unwatch(struct loop *loop, struct loop_watch *w);

/* Calls fn every interval_ms milliseconds, the first time after one interval. */
struct loop_watch *loop_timer_add(struct loop *loop, unsigned int interval_ms,
				  loop_timer_fn fn, void *ctx);
void loop_timer_del(struct loop *loop, struct loop_watch *t);

/*
 * Blocks the given signals and delivers them through fn from the loop.
 * Called once; returns 0 or -errno.
 */
int loop_signals(struct loop *loop, const int *signals, unsigned int n,
		 loop_signal_fn fn, void *ctx);

/* Runs until loop_stop(); returns 0, or -errno if epoll itself failed. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);

#endif
