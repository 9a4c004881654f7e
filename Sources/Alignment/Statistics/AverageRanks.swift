/// Average ranks (scipy `rankdata(method='average')`) and the stable sort under them.
///
/// Values are compared through order-preserving 64-bit keys (sign bit flipped for positives, all bits for
/// negatives; −0 folded into +0), so that equal keys are equal values and NaNs sort by their bit patterns (a
/// positive NaN above +inf, a negative one below −inf; equal patterns tie). Long vectors are sorted as one 64-bit
/// word per value, `(prefix << 32) | index`: the prefix is the key minus the smallest key, stripped of the low bits
/// that no key sets differently and cut to its top log₂ n + 8 bits (at most 32). Distances and correlations span a
/// narrow range of keys, so a 27-bit prefix tells 500 000 of them apart but for a few hundred pairs, which are then
/// ordered by their full keys; sorting full keys beside separate indices took five or six radix passes over 12
/// bytes per value. The words take one radix pass on their top 11 bits from memory, then short passes inside each
/// bucket, in cache.

/// The order-preserving key of a float64 (−0 folded into +0).
@inline(__always)
func orderKey(_ value: Double) -> UInt64 {
    let bits = (value + 0).bitPattern
    return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
}

/// Reads the packed words `(prefix << 32) | index` that `sortForRanks` leaves in ascending order.
enum RankEntry {
    /// The index (into the values) held by a sorted word.
    @inline(__always)
    static func index(_ entry: UInt64) -> Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry)) }
}

/// Below this length a comparison sort beats the radix passes' fixed cost (histograms of 2048 buckets).
let radixRankThreshold = 2048

/// Sorts the values into `sorted` (packed words, see the file comment; by prefix, then index) using `scratch` of
/// the same length as working space. Returns whether equal prefixes may hold different values (prefixes cut
/// short): `forEachTieGroup` then orders such runs by their full keys.
///
/// Long vectors take one most-significant-digit pass of 11 bits (scattering the words as they are made, after a
/// counting pass), then sort each of its 2048 buckets — a few hundred words for distances, held in cache — on the
/// remaining prefix bits with least-significant-digit passes of at most 8 bits (insertion sort for small buckets).
func sortForRanks(_ values: UnsafeBufferPointer<Double>, into sorted: UnsafeMutableBufferPointer<UInt64>,
                  scratch: UnsafeMutableBufferPointer<UInt64>) -> Bool {
    let n = values.count
    precondition(n <= Int(UInt32.max) && sorted.count == n && scratch.count == n, "internal: rank buffers")
    if n < radixRankThreshold {
        let keys = values.map(orderKey)
        let order = (0..<n).sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        // Prefix = the number of smaller distinct values: exact, so no run needs resolving.
        var distinct: UInt64 = 0
        for (position, index) in order.enumerated() {
            if position > 0 && keys[index] != keys[order[position - 1]] { distinct += 1 }
            sorted[position] = distinct &<< 32 | UInt64(index)
        }
        return false
    }
    // Pass 1: the key range and the bits that vary.
    let firstKey = orderKey(values[0])
    var smallest = firstKey, largest = firstKey, varying: UInt64 = 0
    for value in values {
        let key = orderKey(value)
        smallest = Swift.min(smallest, key)
        largest = Swift.max(largest, key)
        varying |= key ^ firstKey
    }
    if varying == 0 {
        // One value throughout: a single tie group, already in index order.
        for index in 0..<n { sorted[index] = UInt64(index) }
        return false
    }
    let low = varying.trailingZeroBitCount
    let bits = UInt64.bitWidth - ((largest - smallest) &>> UInt64(low)).leadingZeroBitCount
    // Prefixes of 8 bits more than n needs to be told apart leave few equal prefixes to resolve by full keys
    // (about n / 2⁹ pairs for evenly spread keys), and save local passes over wider ones.
    let dropped = Swift.max(0, bits - Swift.min(32, UInt64.bitWidth - UInt64(n).leadingZeroBitCount + 8))
    let shift = UInt64(low + dropped)
    let prefixBits = bits - dropped
    let highBits = Swift.min(11, prefixBits), lowBits = prefixBits - highBits
    let highShift = UInt64(lowBits)
    // Local passes over each bucket: their count fixes which buffer the first scatter must fill for the result to
    // end in `sorted`.
    let localPasses = (lowBits + 7) / 8
    let localWidth = localPasses == 0 ? 0 : (lowBits + localPasses - 1) / localPasses
    let first = localPasses % 2 == 0 ? sorted : scratch, second = localPasses % 2 == 0 ? scratch : sorted
    // Pass 2: the histogram of the top digit; pass 3: the words, scattered by it.
    var starts = [Int](repeating: 0, count: (1 << highBits) + 1)
    starts.withUnsafeMutableBufferPointer { starts in
        for value in values { starts[Int(((orderKey(value) &- smallest) &>> shift) &>> highShift) + 1] += 1 }
        for bucket in 0..<(1 << highBits) { starts[bucket + 1] += starts[bucket] }
        var next = Array(starts.dropLast())
        next.withUnsafeMutableBufferPointer { next in
            for index in 0..<n {
                let prefix = (orderKey(values[index]) &- smallest) &>> shift
                let bucket = Int(prefix &>> highShift)
                // Counter first, then the word: a store through `first` before re-reading the counter would
                // make each iteration wait for the compiler's reload (the buffers might alias).
                let slot = next[bucket]
                next[bucket] = slot + 1
                first[slot] = prefix &<< 32 | UInt64(index)
            }
        }
        guard localPasses > 0 else { return }
        var counts = [Int](repeating: 0, count: localPasses << localWidth)
        counts.withUnsafeMutableBufferPointer { counts in
            for bucket in 0..<(1 << highBits) {
                sortBucket(starts[bucket]..<starts[bucket + 1], first, second, passes: localPasses, width: localWidth,
                           counts: counts)
            }
        }
    }
    return dropped > 0
}

/// Sorts `first[range]` by prefix (all words share the top digit, so by the whole word: prefix, then index),
/// leaving the result in `second[range]` after an odd number of passes and in `first[range]` after an even one.
@inline(__always)
private func sortBucket(_ range: Range<Int>, _ first: UnsafeMutableBufferPointer<UInt64>,
                        _ second: UnsafeMutableBufferPointer<UInt64>, passes: Int, width: Int,
                        counts: UnsafeMutableBufferPointer<Int>) {
    let size = range.count
    if size <= 32 {
        if size > 1 {
            for position in (range.lowerBound + 1)..<range.upperBound {
                let word = first[position]
                var target = position
                while target > range.lowerBound && first[target - 1] > word { first[target] = first[target - 1]; target -= 1 }
                first[target] = word
            }
        }
        if passes % 2 == 1 { for position in range { second[position] = first[position] } }
        return
    }
    let buckets = 1 << width, mask = UInt64(buckets - 1)
    for index in 0..<(passes << width) { counts[index] = 0 }
    for position in range {
        let prefix = first[position] &>> 32
        for digit in 0..<passes { counts[digit << width + Int((prefix &>> UInt64(digit * width)) & mask)] += 1 }
    }
    var source = first, target = second
    for digit in 0..<passes {
        var running = range.lowerBound
        for bucket in 0..<buckets {
            let count = counts[digit << width + bucket]
            counts[digit << width + bucket] = running
            running += count
        }
        let digitShift = UInt64(32 + digit * width)
        for position in range {
            let word = source[position]
            let bucket = digit << width + Int((word &>> digitShift) & mask)
            let slot = counts[bucket]
            counts[bucket] = slot + 1
            target[slot] = word
        }
        swap(&source, &target)
    }
}

/// Calls `group(first, end)` for each run of equal values in `sorted` (from `sortForRanks`), in ascending order:
/// sorted positions `first..<end` (0-based) share the average rank `(first + end − 1) / 2 + 1`. When `truncated`,
/// each run of equal prefixes is first ordered by (full key, index) in place, so that `sorted` ends fully sorted.
@inline(__always)
func forEachTieGroup(_ values: UnsafeBufferPointer<Double>, _ sorted: UnsafeMutableBufferPointer<UInt64>,
                     truncated: Bool, _ group: (_ first: Int, _ end: Int) -> Void) {
    let n = values.count
    var run = [(key: UInt64, index: Int)]()
    var first = 0
    while first < n {
        let prefix = sorted[first] &>> 32
        var end = first + 1
        while end < n && sorted[end] &>> 32 == prefix { end += 1 }
        if truncated && end - first > 1 {
            // Equal prefixes, possibly different values (rare for long vectors): order by the full keys.
            run.removeAll(keepingCapacity: true)
            for position in first..<end {
                let index = RankEntry.index(sorted[position])
                run.append((orderKey(values[index]), index))
            }
            run.sort { $0.key < $1.key || ($0.key == $1.key && $0.index < $1.index) }
            var start = 0
            for offset in run.indices {
                sorted[first + offset] = prefix &<< 32 | UInt64(run[offset].index)
                if offset + 1 == run.count || run[offset + 1].key != run[start].key {
                    group(first + start, first + offset + 1)
                    start = offset + 1
                }
            }
        } else {
            group(first, end)
        }
        first = end
    }
}

/// Ranks 1…n with ties sharing the average rank (scipy `rankdata(method='average')`); also returns the tie group
/// sizes (every group, singletons included, in ascending order of value).
func averageRanks(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
    var ties = [Int]()
    let ranks = values.withUnsafeBufferPointer { values in
        rankValues(values) { first, end, sorted, ranks in
            let rank = Double(first + end - 1) / 2 + 1
            for position in first..<end { ranks[RankEntry.index(sorted[position])] = rank }
            ties.append(end - first)
        }
    }
    return (ranks, ties)
}

/// Average ranks minus their mean (n + 1) / 2, i.e. `(first + end − n) / 2` for the group at sorted positions
/// `first..<end`: exact half-integers, the form Spearman's ρ and ρ_a take inner products of.
func centredAverageRanks(_ values: UnsafeBufferPointer<Double>) -> [Double] {
    let n = values.count
    return rankValues(values) { first, end, sorted, ranks in
        let rank = Double(first + end - n) / 2
        if end - first == 1 {
            ranks[RankEntry.index(sorted[first])] = rank
        } else {
            for position in first..<end { ranks[RankEntry.index(sorted[position])] = rank }
        }
    }
}

/// A float64 array of `values.count` filled by `write(first, end, sorted, result)` for each tie group; the result's
/// memory serves as the sort's scratch space first (one fresh buffer fewer per call).
@inline(__always)
private func rankValues(_ values: UnsafeBufferPointer<Double>,
                        _ write: (Int, Int, UnsafeBufferPointer<UInt64>, UnsafeMutableBufferPointer<Double>) -> Void)
    -> [Double]
{
    let n = values.count
    var sorted = [UInt64](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    return [Double](unsafeUninitializedCapacity: n) { result, initialized in
        sorted.withUnsafeMutableBufferPointer { sorted in
            let truncated = result.withMemoryRebound(to: UInt64.self) { scratch in
                sortForRanks(values, into: sorted, scratch: scratch)
            }
            let view = UnsafeBufferPointer(sorted)
            forEachTieGroup(values, sorted, truncated: truncated) { first, end in write(first, end, view, result) }
        }
        initialized = n
    }
}

/// The permutation that sorts `values` ascending, equal values in index order.
func stableOrder(_ values: [Double]) -> [Int] {
    let n = values.count
    var sorted = [UInt64](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    var scratch = [UInt64](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    values.withUnsafeBufferPointer { values in
        sorted.withUnsafeMutableBufferPointer { sorted in
            let truncated = scratch.withUnsafeMutableBufferPointer { scratch in
                sortForRanks(values, into: sorted, scratch: scratch)
            }
            forEachTieGroup(values, sorted, truncated: truncated) { _, _ in }
        }
    }
    return sorted.map(RankEntry.index)
}
