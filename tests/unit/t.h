/* A tiny unit-test harness: include once per test program.
 *
 *	T_TEST(name) { T_ASSERT(x == 1); T_EQ_INT(a, b); ... }
 *	int main(void) { T_RUN(name); ...; return t_done(); }
 *
 * Exit status follows automake: 0 pass, 1 fail, 77 skip, 99 hard error. */
#ifndef MESH_T_H
#define MESH_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	t_failed, t_ran, t_cur_failed;
static const char *t_cur;

#define T_TEST(name)	static void test_##name(void)

#define T_RUN(name) do {						\
	t_cur = #name;							\
	t_cur_failed = 0;						\
	test_##name();							\
	t_ran++;							\
	if (t_cur_failed)						\
		t_failed++;						\
	printf("%s %s\n", t_cur_failed ? "not ok" : "ok", #name);	\
} while (0)

#define T_FAIL(...) do {						\
	fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, t_cur);	\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	t_cur_failed = 1;						\
} while (0)

#define T_ASSERT(cond) do {						\
	if (!(cond))							\
		T_FAIL("assertion failed: %s", #cond);			\
} while (0)

#define T_EQ_INT(a, b) do {						\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ != t_b_)						\
		T_FAIL("%s == %lld, expected %s == %lld", #a, t_a_,	\
		    #b, t_b_);						\
} while (0)

#define T_EQ_STR(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)	\
		T_FAIL("%s == \"%s\", expected \"%s\"", #a,		\
		    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");	\
} while (0)

#define T_EQ_MEM(a, b, n) do {						\
	if (memcmp((a), (b), (n)) != 0)					\
		T_FAIL("%s and %s differ", #a, #b);			\
} while (0)

static inline int
t_done(void)
{
	printf("# %d tests, %d failed\n", t_ran, t_failed);
	return t_failed ? 1 : 0;
}

#endif
