/* sysprobe: makes one system call from inside a container and prints how it went, so that the
 * security tests can tell "blocked by seccomp" (EPERM, ENOSYS) from "allowed" without relying on
 * what busybox happens to have. Built static by test/e2e/security.test.ts.
 *   sysprobe keyctl|add_key|clone-newuser|clone-newns|clone-plain|clone3|finit_module|euid
 * Prints "ok" (or the euid) and exits 0, or prints the errno's name and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int clone_with(unsigned long flags) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return -1;
  if (pid == 0) _exit(0);
  waitpid((pid_t)pid, NULL, 0);
  return 0;
}

static int clone3_plain(void) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return -1;
  if (pid == 0) _exit(0);
  waitpid((pid_t)pid, NULL, 0);
  return 0;
}

static const char *errname(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ENOSYS: return "ENOSYS";
  case EACCES: return "EACCES";
  case EINVAL: return "EINVAL";
  case ENOEXEC: return "ENOEXEC";
  case ENOKEY: return "ENOKEY";
  default: return strerror(e);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sysprobe CALL\n");
    return 2;
  }
  const char *what = argv[1];
  long r;
  if (strcmp(what, "euid") == 0) {
    printf("%d\n", (int)geteuid());
    return 0;
  } else if (strcmp(what, "keyctl") == 0) {
    r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* KEY_SPEC_SESSION_KEYRING */, 1);
  } else if (strcmp(what, "add_key") == 0) {
    r = syscall(SYS_add_key, "user", "berth-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);
  } else if (strcmp(what, "clone-newuser") == 0) {
    r = clone_with(CLONE_NEWUSER);
  } else if (strcmp(what, "clone-newns") == 0) {
    r = clone_with(CLONE_NEWNS);
  } else if (strcmp(what, "clone-plain") == 0) {
    r = clone_with(0);
  } else if (strcmp(what, "clone3") == 0) {
    r = clone3_plain();
  } else if (strcmp(what, "finit_module") == 0) {
    int fd = open("/dev/null", O_RDONLY);
    r = syscall(SYS_finit_module, fd, "", 0);
  } else {
    fprintf(stderr, "sysprobe: unknown call %s\n", what);
    return 2;
  }
  if (r < 0) {
    printf("%s\n", errname(errno));
    return 1;
  }
  printf("ok\n");
  return 0;
}
