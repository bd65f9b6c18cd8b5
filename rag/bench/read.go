package bench

// readSumGo returns the sum of buf, whose length is a multiple of 16, with
// enough independent sums that the loop is limited by memory, not by
// additions.
func readSumGo(buf []uint64) uint64 {
	var s0, s1, s2, s3, s4, s5, s6, s7 uint64
	for i := 0; i+8 <= len(buf); i += 8 {
		b := buf[i : i+8 : i+8]
		s0 += b[0]
		s1 += b[1]
		s2 += b[2]
		s3 += b[3]
		s4 += b[4]
		s5 += b[5]
		s6 += b[6]
		s7 += b[7]
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}
