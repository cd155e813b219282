package parser

// tshark's time column, by -t/-u option (the fraction has 0-9 digits, set by the capture's
// time stamp precision or by a precision suffix such as "-t ad.3" in newer tshark; its
// separator follows the locale, so "," is accepted as well as "."):
//
//	r, d, dd, e       -1.25  0.000906723  1764270242.123456789
//	a, u              19:04:02.123456789
//	ad, ud            2026-11-27 19:04:02.123456789   (two words)
//	adoy, udoy        2026/331 19:04:02.123456789     (two words)
//	r, d, dd + -u hms 4.876549s  2m  4.8s  1h  2m  4.8s  - 1h  2m  4.8s   (one to five words)
//	reference frame   *REF*

// timeEnd returns the end of the time column that starts at i, or i when the word at i is
// not a time (the frame has no time stamp and tshark left the column empty).
func timeEnd[T text](line T, i, end int) int {
	e := wordEnd(line, i, end)
	switch {
	case e == i:
		return i
	case isRef(line, i, e), isClock(line, i, e), isSeconds(line, i, e):
		return e
	case isDate(line, i, e):
		j := skipBlank(line, e, end)
		if k := wordEnd(line, j, end); j > e && isClock(line, j, k) {
			return k
		}
		return i
	default:
		return hmsEnd(line, i, end)
	}
}

func isRef[T text](line T, i, e int) bool {
	return e-i == 5 && line[i] == '*' && line[i+1] == 'R' && line[i+2] == 'E' &&
		line[i+3] == 'F' && line[i+4] == '*'
}

// isSeconds matches -?D+([.,]D*)? — a relative, delta or epoch time.
func isSeconds[T text](line T, i, e int) bool {
	if line[i] == '-' {
		i++
	}
	if i == e || !isDigit(line[i]) {
		return false
	}
	return fracEnd(line, digitsEnd(line, i, e), e) == e
}

// isClock matches D+:D+:D+([.,]D*)?.
func isClock[T text](line T, i, e int) bool {
	for part := 0; part < 3; part++ {
		d := digitsEnd(line, i, e)
		if d == i {
			return false
		}
		i = d
		if part < 2 {
			if i == e || line[i] != ':' {
				return false
			}
			i++
		}
	}
	return fracEnd(line, i, e) == e
}

// isDate matches D+-D+-D+ (year-month-day) or D+/D+ (year/day of year).
func isDate[T text](line T, i, e int) bool {
	d := digitsEnd(line, i, e)
	if d == i || d == e {
		return false
	}
	sep := line[d]
	parts := 2
	if sep == '-' {
		parts = 3
	} else if sep != '/' {
		return false
	}
	for part := 1; part < parts; part++ {
		if d == e || line[d] != sep {
			return false
		}
		next := digitsEnd(line, d+1, e)
		if next == d+1 {
			return false
		}
		d = next
	}
	return d == e
}

// fracEnd skips an optional decimal separator and digits at i.
func fracEnd[T text](line T, i, e int) int {
	if i < e && (line[i] == '.' || line[i] == ',') {
		return digitsEnd(line, i+1, e)
	}
	return i
}

// hmsEnd matches "-u hms" times: an optional lone "-", then "Dh", "Dm" and "D[.D]s" words
// in that order, the seconds word being required. A leading "Dd" (days) word is accepted
// too, in case a tshark version adds one. It returns i if there is no match.
func hmsEnd[T text](line T, i, end int) int {
	j := i
	if line[j] == '-' && j+1 < end && isBlank(line[j+1]) {
		j = skipBlank(line, j+1, end)
	}
	for _, unit := range [...]byte{'d', 'h', 'm', 's'} {
		e := wordEnd(line, j, end)
		d := digitsEnd(line, j, e)
		if unit == 's' {
			d = fracEnd(line, d, e)
		}
		if d == j || d+1 != e || line[d] != unit {
			if unit == 's' {
				return i
			}
			continue // this unit is omitted (times under an hour or a minute)
		}
		if unit == 's' {
			return e
		}
		j = skipBlank(line, e, end)
	}
	return i
}
