;; Post-passes over PFFFT's ordered real spectra, [X0, X(N/2), Re X1, Im X1, …]
;; (n floats per frame, frames back to back), writing split re/im spectra of
;; n/2+1 bins per frame, frame-major, as mirkit's STFT stores them.
;; Built by scripts/build-wasm.sh into src/dsp/wasm/spectrum.ts.
(module
  (memory (export "memory") 1)

  ;; Vector loops de-interleave four complex bins [r0 i0 r1 i1] [r2 i2 r3 i3] with
  ;; two shuffles: even lanes (0 1 2 3 8 … 27) are the reals, odd lanes the imaginaries.
  ;; Everything is written inline: V8 does not inline calls that pass v128 values.

  ;; ½c − ¼(p + n): the periodic Hann window as a 3-tap filter in frequency.
  (func $hann3s (param $p f32) (param $c f32) (param $n f32) (result f32)
    (f32.sub (f32.mul (local.get $c) (f32.const 0.5))
             (f32.mul (f32.add (local.get $p) (local.get $n)) (f32.const 0.25))))

  ;; Split only: re[k], im[k] from the ordered layout.
  (func (export "split") (param $src i32) (param $re i32) (param $im i32) (param $n i32) (param $frames i32)
    (local $half i32) (local $f i32) (local $k i32) (local $s i32) (local $r i32) (local $i i32) (local $q i32)
    (local $l0 v128) (local $l1 v128)
    (local.set $half (i32.shr_u (local.get $n) (i32.const 1)))
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (local.get $frames)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $f) (local.get $n)) (i32.const 2))))
      (local.set $r (i32.add (local.get $re) (i32.shl (i32.mul (local.get $f) (i32.add (local.get $half) (i32.const 1))) (i32.const 2))))
      (local.set $i (i32.add (local.get $im) (i32.shl (i32.mul (local.get $f) (i32.add (local.get $half) (i32.const 1))) (i32.const 2))))
      (f32.store (local.get $r) (f32.load (local.get $s)))
      (f32.store (local.get $i) (f32.const 0))
      (f32.store (i32.add (local.get $r) (i32.shl (local.get $half) (i32.const 2))) (f32.load offset=4 (local.get $s)))
      (f32.store (i32.add (local.get $i) (i32.shl (local.get $half) (i32.const 2))) (f32.const 0))
      ;; bins 1 … half−1: four at a time, then one at a time
      (local.set $k (i32.const 1))
      (block $vdone (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $k) (i32.const 3)) (i32.sub (local.get $half) (i32.const 1))))
        (local.set $q (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $l0 (v128.load (local.get $q)))
        (local.set $l1 (v128.load offset=16 (local.get $q)))
        (v128.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l0) (local.get $l1)))
        (v128.store (i32.add (local.get $i) (i32.shl (local.get $k) (i32.const 2)))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $l1)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $v)))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_u (local.get $k) (local.get $half)))
        (f32.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 2)))
          (f32.load (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 3)))))
        (f32.store (i32.add (local.get $i) (i32.shl (local.get $k) (i32.const 2)))
          (f32.load offset=4 (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sl)))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame))))

  ;; Periodic Hann applied in frequency: X_w[k] = ½X[k] − ¼(X[k−1] + X[k+1]),
  ;; with X(−1) = conj X1 and X(N/2+1) = conj X(N/2−1) for a real signal. n ≥ 16.
  (func (export "hann") (param $src i32) (param $re i32) (param $im i32) (param $n i32) (param $frames i32)
    (local $half i32) (local $f i32) (local $k i32) (local $s i32) (local $r i32) (local $i i32) (local $q i32)
    (local $x0 f32) (local $xh f32) (local $l i32)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128) (local $l4 v128)
    (local.set $half (i32.shr_u (local.get $n) (i32.const 1)))
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (local.get $frames)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $f) (local.get $n)) (i32.const 2))))
      (local.set $r (i32.add (local.get $re) (i32.shl (i32.mul (local.get $f) (i32.add (local.get $half) (i32.const 1))) (i32.const 2))))
      (local.set $i (i32.add (local.get $im) (i32.shl (i32.mul (local.get $f) (i32.add (local.get $half) (i32.const 1))) (i32.const 2))))
      (local.set $x0 (f32.load (local.get $s)))
      (local.set $xh (f32.load offset=4 (local.get $s)))
      ;; bin 0 and bin 1 (their left neighbours are conj X1 and X0)
      (f32.store (local.get $r)
        (f32.sub (f32.mul (local.get $x0) (f32.const 0.5)) (f32.mul (f32.load offset=8 (local.get $s)) (f32.const 0.5))))
      (f32.store (local.get $i) (f32.const 0))
      (f32.store offset=4 (local.get $r)
        (call $hann3s (local.get $x0) (f32.load offset=8 (local.get $s)) (f32.load offset=16 (local.get $s))))
      (f32.store offset=4 (local.get $i)
        (call $hann3s (f32.const 0) (f32.load offset=12 (local.get $s)) (f32.load offset=20 (local.get $s))))
      ;; bins 2 … half−2: four at a time (reading bins k−1 … k+4), then one at a time
      (local.set $k (i32.const 2))
      (block $vdone (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $k) (i32.const 3)) (i32.sub (local.get $half) (i32.const 2))))
        ;; bins k−1 … k+4 as five overlapping vectors from q = &X(k−1)
        (local.set $q (i32.add (local.get $s) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3))))
        (local.set $l0 (v128.load (local.get $q)))
        (local.set $l1 (v128.load offset=8 (local.get $q)))
        (local.set $l2 (v128.load offset=16 (local.get $q)))
        (local.set $l3 (v128.load offset=24 (local.get $q)))
        (local.set $l4 (v128.load offset=32 (local.get $q)))
        (v128.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 2)))
          (f32x4.sub
            (f32x4.mul (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l1) (local.get $l3)) (v128.const f32x4 0.5 0.5 0.5 0.5))
            (f32x4.mul (f32x4.add (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l0) (local.get $l2)) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l2) (local.get $l4)))
                       (v128.const f32x4 0.25 0.25 0.25 0.25))))
        (v128.store (i32.add (local.get $i) (i32.shl (local.get $k) (i32.const 2)))
          (f32x4.sub
            (f32x4.mul (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l1) (local.get $l3)) (v128.const f32x4 0.5 0.5 0.5 0.5))
            (f32x4.mul (f32x4.add (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $l2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l2) (local.get $l4)))
                       (v128.const f32x4 0.25 0.25 0.25 0.25))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $v)))
      (block $sdone (loop $sl
        (br_if $sdone (i32.gt_u (local.get $k) (i32.sub (local.get $half) (i32.const 2))))
        (local.set $q (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 3))))
        (f32.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 2)))
          (call $hann3s (f32.load offset=0 (i32.sub (local.get $q) (i32.const 8))) (f32.load (local.get $q)) (f32.load offset=8 (local.get $q))))
        (f32.store (i32.add (local.get $i) (i32.shl (local.get $k) (i32.const 2)))
          (call $hann3s (f32.load offset=4 (i32.sub (local.get $q) (i32.const 8))) (f32.load offset=4 (local.get $q)) (f32.load offset=12 (local.get $q))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sl)))
      ;; bin half−1 (right neighbour X(N/2), real) and bin half (neighbours conj X(N/2−1) on both sides)
      (local.set $l (i32.add (local.get $s) (i32.shl (i32.sub (local.get $half) (i32.const 1)) (i32.const 3))))
      (local.set $q (i32.shl (i32.sub (local.get $half) (i32.const 1)) (i32.const 2)))
      (f32.store (i32.add (local.get $r) (local.get $q))
        (call $hann3s (f32.load offset=0 (i32.sub (local.get $l) (i32.const 8))) (f32.load (local.get $l)) (local.get $xh)))
      (f32.store (i32.add (local.get $i) (local.get $q))
        (call $hann3s (f32.load offset=4 (i32.sub (local.get $l) (i32.const 8))) (f32.load offset=4 (local.get $l)) (f32.const 0)))
      (f32.store offset=4 (i32.add (local.get $r) (local.get $q))
        (f32.sub (f32.mul (local.get $xh) (f32.const 0.5)) (f32.mul (f32.load (local.get $l)) (f32.const 0.5))))
      (f32.store offset=4 (i32.add (local.get $i) (local.get $q)) (f32.const 0))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame))))
)
