// berth-idmap-mount: idmapped bind mounts of image layers, for --userns containers.
//
//   berth-idmap-mount UIDMAP GIDMAP SRC DST [SRC DST ...]
//   UIDMAP, GIDMAP: "container:host:size[,container:host:size...]" as in /proc/PID/uid_map
//
// Each SRC is cloned (open_tree), the clone is idmapped with a user namespace holding the maps
// (mount_setattr with MOUNT_ATTR_IDMAP) and attached at DST (move_mount). runc 1.1 and
// util-linux 2.38 cannot make such mounts, and Node has no binding for these system calls; this
// is the one thing berth needs that is neither a program on the host nor a file it can write.
// The user namespace is only a carrier for the maps: a child made in it holds it open while the
// mounts take it, then exits. Nothing is mounted if any step fails before the first move_mount;
// after that the caller unmounts what it asked for (it knows the DSTs).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const char *arg) {
  fprintf(stderr, "berth-idmap-mount: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
  exit(1);
}

// "0:100000:65536,65536:300000:10" -> "0 100000 65536\n65536 300000 10\n"; refuses anything else.
static void map_lines(const char *spec, char *out, size_t cap) {
  size_t n = 0;
  const char *p = spec;
  while (*p) {
    unsigned long v[3];
    for (int i = 0; i < 3; i++) {
      char *end;
      errno = 0;
      if (*p < '0' || *p > '9') { errno = EINVAL; die("bad map", spec); }
      v[i] = strtoul(p, &end, 10);
      if (errno || v[i] > 4294967295UL) { errno = EINVAL; die("bad map", spec); }
      p = end;
      if (i < 2) {
        if (*p != ':') { errno = EINVAL; die("bad map", spec); }
        p++;
      }
    }
    if (*p == ',') p++;
    else if (*p) { errno = EINVAL; die("bad map", spec); }
    int w = snprintf(out + n, cap - n, "%lu %lu %lu\n", v[0], v[1], v[2]);
    if (w < 0 || (size_t)w >= cap - n) { errno = E2BIG; die("map too long", spec); }
    n += (size_t)w;
  }
  if (n == 0) { errno = EINVAL; die("empty map", spec); }
}

static void write_file(pid_t pid, const char *name, const char *text) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  ssize_t len = (ssize_t)strlen(text);
  if (write(fd, text, (size_t)len) != len) die("write", path);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 5 || (argc - 3) % 2 != 0) {
    fprintf(stderr, "usage: berth-idmap-mount UIDMAP GIDMAP SRC DST [SRC DST ...]\n");
    return 2;
  }
  char uids[4096], gids[4096];
  map_lines(argv[1], uids, sizeof uids);
  map_lines(argv[2], gids, sizeof gids);

  int ready[2], hold[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0) die("pipe", NULL);
  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    char b = 0;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(ready[0]);
    close(hold[1]);
    if (unshare(CLONE_NEWUSER) < 0) _exit(1);
    if (write(ready[1], &b, 1) != 1) _exit(1);
    // Held until the parent has taken the namespace (it closes its end, or dies).
    (void)read(hold[0], &b, 1);
    _exit(0);
  }
  close(ready[1]);
  close(hold[0]);
  char b;
  if (read(ready[0], &b, 1) != 1) { errno = ECHILD; die("user namespace", NULL); }
  write_file(child, "setgroups", "deny");
  write_file(child, "uid_map", uids);
  write_file(child, "gid_map", gids);
  char nspath[64];
  snprintf(nspath, sizeof nspath, "/proc/%d/ns/user", (int)child);
  int userns = open(nspath, O_RDONLY | O_CLOEXEC);
  if (userns < 0) die("open", nspath);
  close(hold[1]);
  waitpid(child, NULL, 0);

  int n = (argc - 3) / 2;
  int trees[n];
  // Every clone is idmapped before any is attached, so that a bad layer leaves nothing mounted.
  for (int i = 0; i < n; i++) {
    const char *src = argv[3 + 2 * i];
    trees[i] = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (trees[i] < 0) die("open_tree", src);
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns };
    if (syscall(SYS_mount_setattr, trees[i], "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) die("mount_setattr", src);
  }
  for (int i = 0; i < n; i++) {
    const char *dst = argv[4 + 2 * i];
    if (syscall(SYS_move_mount, trees[i], "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0) die("move_mount", dst);
  }
  return 0;
}
