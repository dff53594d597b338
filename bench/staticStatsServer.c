/*
 * The cheapest stats server there can be, for bench/statsOverhead.ts's baseline: it listens on a
 * Unix socket and writes the same bytes (a stats document read from a file once) to every
 * client, then closes, in one blocking loop. What reading it costs the machine is what any
 * reader costs before a server does any work: the floor under mlserve's own stats socket.
 *
 * usage: staticStatsServer SOCKET_PATH DOCUMENT_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s SOCKET_PATH DOCUMENT_FILE\n", argv[0]); return 2; }
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 1; }
  static char doc[1 << 20];
  size_t len = fread(doc, 1, sizeof doc, f);
  fclose(f);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 128) < 0) { perror("listen"); return 1; }
  signal(SIGPIPE, SIG_IGN); /* a client that leaves early must not kill the server */
  printf("listening\n");
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    size_t off = 0;
    while (off < len) {
      ssize_t n = write(c, doc + off, len - off);
      if (n <= 0) break;
      off += (size_t)n;
    }
    close(c);
  }
}
