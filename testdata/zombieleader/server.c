/* A server whose main thread exits while another thread keeps the
 * listening socket: the thread-group leader is a zombie with no argv, no
 * cwd and no readable fd table, and the process still holds the port.
 * It prints "port N" once it listens on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
	for (;;)
		pause();
	return arg;
}

int main(void) {
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16) || getsockname(s, (struct sockaddr *)&a, &n))
		return 1;
	printf("port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	pthread_t t;
	if (pthread_create(&t, NULL, serve, NULL))
		return 1;
	pthread_exit(NULL);
}
