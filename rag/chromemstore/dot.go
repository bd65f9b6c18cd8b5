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

// dots8Generic writes the dot product of q with each of the rows int8 rows
// of m, stride apart, to out; q has stride elements.
func dots8Generic(q []int16, m []int8, stride int, out []int32) {
	q = q[:stride]
	for r := range out {
		row := m[r*stride : (r+1)*stride : (r+1)*stride]
		var s0, s1, s2, s3 int32
		for i := 0; i+4 <= stride; i += 4 {
			s0 += int32(q[i]) * int32(row[i])
			s1 += int32(q[i+1]) * int32(row[i+1])
			s2 += int32(q[i+2]) * int32(row[i+2])
			s3 += int32(q[i+3]) * int32(row[i+3])
		}
		out[r] = s0 + s1 + s2 + s3
	}
}
