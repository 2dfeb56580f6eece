;; The CQT's sparse kernels applied to blocks of real FFT frames, four floats
;; (two complex bins) per vector step.
;; Frames: `frames` ordered spectra (PFFFT layout: bin j ≥ 1 at floats 2j, 2j+1),
;; `stride` floats apart, each followed by zeros so the last pair may overhang.
;; Rows: `nRows` triples (i32) [first bin ≥ 1, number of bin pairs, float offset
;; of the row's coefficients in K]; a row's coefficients are, per pair of bins,
;; [kr0 kr0 kr1 kr1][ki0 ki0 ki1 ki1] (the conjugate kernel, duplicated per lane).
;; Output: per frame and row, [re, im] = Σ X·k (complex).
;; Built by scripts/build-wasm.sh into src/dsp/wasm/cqtrows.ts.
(module
  (memory (export "memory") 1)
  (func (export "apply") (param $X i32) (param $stride i32) (param $frames i32) (param $K i32) (param $rows i32) (param $nRows i32) (param $out i32)
    (local $f i32) (local $r i32) (local $xf i32) (local $row i32) (local $p i32) (local $k i32) (local $c i32)
    (local $a1 v128) (local $a2 v128) (local $x v128) (local $o i32)
    (local.set $o (local.get $out))
    (block $fdone (loop $fl
      (br_if $fdone (i32.ge_u (local.get $f) (local.get $frames)))
      (local.set $xf (i32.add (local.get $X) (i32.shl (i32.mul (local.get $f) (local.get $stride)) (i32.const 2))))
      (local.set $r (i32.const 0))
      (local.set $row (local.get $rows))
      (block $rdone (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $p (i32.add (local.get $xf) (i32.shl (i32.load (local.get $row)) (i32.const 3))))
        (local.set $c (i32.load offset=4 (local.get $row)))
        (local.set $k (i32.add (local.get $K) (i32.shl (i32.load offset=8 (local.get $row)) (i32.const 2))))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (block $cdone (loop $cl
          (br_if $cdone (i32.le_s (local.get $c) (i32.const 0)))
          (local.set $x (v128.load (local.get $p)))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load (local.get $k)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $k)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 32)))
          (local.set $c (i32.sub (local.get $c) (i32.const 1)))
          (br $cl)))
        ;; re = a1[0] + a1[2] − a2[1] − a2[3]; im = a1[1] + a1[3] + a2[0] + a2[2]
        (f32.store (local.get $o)
          (f32.sub (f32.add (f32x4.extract_lane 0 (local.get $a1)) (f32x4.extract_lane 2 (local.get $a1)))
                   (f32.add (f32x4.extract_lane 1 (local.get $a2)) (f32x4.extract_lane 3 (local.get $a2)))))
        (f32.store offset=4 (local.get $o)
          (f32.add (f32.add (f32x4.extract_lane 1 (local.get $a1)) (f32x4.extract_lane 3 (local.get $a1)))
                   (f32.add (f32x4.extract_lane 0 (local.get $a2)) (f32x4.extract_lane 2 (local.get $a2)))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (local.set $row (i32.add (local.get $row) (i32.const 12)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl)))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $fl)))
  )
)
