/*
 * bcryptprimitives.dll for Wine 8, which lacks it: Go's runtime on Windows
 * (since Go 1.24) loads ProcessPrng from it to seed its random numbers and
 * refuses to start without it. RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has, fills the buffer instead. Test use only: run-tests puts
 * it in a throwaway Wine prefix.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	/* RtlGenRandom takes a ULONG: fill larger buffers in pieces. */
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
