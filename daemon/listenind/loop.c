// SPDX-License-Identifier: GPL-2.0
#include "listenind/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum kind { K_FD, K_TIMER, K_SIGNAL };

struct loop_watch {
	enum kind kind;
	int fd;
	bool dead;
	union {
		loop_fd_fn fd_fn;
		loop_timer_fn timer_fn;
		loop_signal_fn signal_fn;
	};
	void *ctx;
	struct loop_watch *next;	/* all watches, or the graveyard */
};

struct loop {
	int epfd;
	bool stop;
	struct loop_watch *watches;
	/* removed during a dispatch round; freed once no event can name them */
	struct loop_watch *graveyard;
};

struct loop *loop_new(void)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

static void free_watch(struct loop_watch *w)
{
	if (w->kind != K_FD)
		close(w->fd);
	free(w);
}

static void bury(struct loop *loop)
{
	while (loop->graveyard) {
		struct loop_watch *w = loop->graveyard;

		loop->graveyard = w->next;
		free_watch(w);
	}
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	bury(loop);
	while (loop->watches) {
		struct loop_watch *w = loop->watches;

		loop->watches = w->next;
		free_watch(w);
	}
	close(loop->epfd);
	free(loop);
}

static struct loop_watch *add(struct loop *loop, enum kind kind, int fd,
			      uint32_t events, void *ctx)
{
	struct loop_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };

	if (!w)
		return NULL;
	w->kind = kind;
	w->fd = fd;
	w->ctx = ctx;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = errno;

		free(w);
		errno = err;
		return NULL;
	}
	w->next = loop->watches;
	loop->watches = w;
	return w;
}

struct loop_watch *loop_watch_fd(struct loop *loop, int fd, uint32_t events,
				 loop_fd_fn fn, void *ctx)
{
	struct loop_watch *w = add(loop, K_FD, fd, events, ctx);

	if (w)
		w->fd_fn = fn;
	return w;
}

int loop_watch_set_events(struct loop *loop, struct loop_watch *w,
			  uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) ? -errno : 0;
}

static void remove_watch(struct loop *loop, struct loop_watch *w)
{
	struct loop_watch **pp;

	if (!w || w->dead)
		return;
	for (pp = &loop->watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next = loop->graveyard;
	loop->graveyard = w;
}

void loop_unwatch(struct loop *loop, struct loop_watch *w)
{
	remove_watch(loop, w);
}

struct loop_watch *loop_timer_add(struct loop *loop, unsigned int interval_ms,
				  loop_timer_fn fn, void *ctx)
{
	struct itimerspec its = {
		.it_interval = {
			.tv_sec = interval_ms / 1000,
			.tv_nsec = (long)(interval_ms % 1000) * 1000000L,
		},
	};
	struct loop_watch *w;
	int fd;

	if (!interval_ms) {
		errno = EINVAL;
		return NULL;
	}
	its.it_value = its.it_interval;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	w = add(loop, K_TIMER, fd, EPOLLIN, ctx);
	if (!w) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	w->timer_fn = fn;
	return w;
}

void loop_timer_del(struct loop *loop, struct loop_watch *t)
{
	remove_watch(loop, t);
}

int loop_signals(struct loop *loop, const int *signals, unsigned int n,
		 loop_signal_fn fn, void *ctx)
{
	struct loop_watch *w;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (unsigned int i = 0; i < n; i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = add(loop, K_SIGNAL, fd, EPOLLIN, ctx);
	if (!w) {
		int err = errno;

		close(fd);
		return -err;
	}
	w->signal_fn = fn;
	return 0;
}

static void dispatch(struct loop_watch *w, uint32_t events)
{
	struct signalfd_siginfo si;
	uint64_t expirations;

	switch (w->kind) {
	case K_FD:
		w->fd_fn(w->ctx, w->fd, events);
		break;
	case K_TIMER:
		/* a late wakeup runs the timer once, not once per missed tick */
		if (read(w->fd, &expirations, sizeof(expirations)) == sizeof(expirations))
			w->timer_fn(w->ctx);
		break;
	case K_SIGNAL:
		while (!w->dead &&
		       read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			w->signal_fn(w->ctx, (int)si.ssi_signo);
		break;
	}
}

int loop_run(struct loop *loop)
{
	struct epoll_event events[64];

	loop->stop = false;
	while (!loop->stop) {
		int n = epoll_wait(loop->epfd, events, 64, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stop; i++) {
			struct loop_watch *w = events[i].data.ptr;

			if (!w->dead)
				dispatch(w, events[i].events);
		}
		bury(loop);
	}
	return 0;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}
