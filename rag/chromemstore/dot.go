package chromemstore

// dotsGeneric writes the dot product of q with rows[i] to out[i]; every row
// has len(q) elements. Eight independent sums keep the loop from waiting on
// one addition chain.
func dotsGeneric(q []float32, rows [][]float32, out []float32) {
	out = out[:len(rows)]
	n := len(q)
	for r, row := range rows {
		row = row[:n]
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		i := 0
		for ; i+8 <= n; i += 8 {
			a := q[i : i+8 : i+8]
			b := row[i : i+8 : i+8]
			s0 += a[0] * b[0]
			s1 += a[1] * b[1]
			s2 += a[2] * b[2]
			s3 += a[3] * b[3]
			s4 += a[4] * b[4]
			s5 += a[5] * b[5]
			s6 += a[6] * b[6]
			s7 += a[7] * b[7]
		}
		for ; i < n; i++ {
			s0 += q[i] * row[i]
		}
		out[r] = (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
	}
}

// dots4Generic writes, for each of len(out) rows of 4-bit codes in m,
// stride bytes apart, the sum over its 32-byte blocks b of
// bs[b]·(q·codes of b − Σ offs[16b:16b+16]) to out. bs holds sw int16
// scales a row (the row's blocks', then zeros), rows after rows; offs
// holds 16 a block (see blockOffsets).
// Byte j of block b holds the codes of components 64b+j (low nibble) and
// 64b+32+j (high nibble), each 0 to 15; q has 2·stride elements in
// component order. The sums must fit an int32 (see maxBlockScale).
func dots4Generic(q []int8, m []uint8, stride int, bs []int16, sw int, offs []int16, out []int32) {
	q = q[:2*stride]
	blocks := stride / 32
	for r := range out {
		row := m[r*stride : (r+1)*stride : (r+1)*stride]
		var s int32
		for b := range blocks {
			qb := q[64*b : 64*b+64 : 64*b+64]
			var d int32
			for j, c := range row[32*b : 32*b+32 : 32*b+32] {
				d += int32(qb[j])*int32(c&15) + int32(qb[32+j])*int32(c>>4)
			}
			for _, o := range offs[16*b : 16*b+16] {
				d -= int32(o)
			}
			s += int32(bs[r*sw+b]) * d
		}
		out[r] = s
	}
}

// dots4GatherGeneric is dots4Generic for the rows idx of m, in that order,
// with their scales in bs, sw a row.
func dots4GatherGeneric(q []int8, m []uint8, stride int, idx []int32, bs []int16, sw int, offs []int16, out []int32) {
	for i, r := range idx {
		dots4Generic(q, m[int(r)*stride:], stride, bs[int(r)*sw:], sw, offs, out[i:i+1])
	}
}
