;; Polyphase FIR dot products for the stream resampler (dsp/resample.ts), four
;; taps per vector step. Jobs: `n` triples (i32) [first sample (float index into
;; x), first tap (float index into bank), length in vectors]; out[q] is the dot
;; product of job q's samples and taps. The bank holds each phase's taps in
;; reading order, zero-padded in front to whole vectors, so a job may read up
;; to three samples before its window (the caller keeps them readable).
;; Built by scripts/build-wasm.sh into src/dsp/wasm/fir.ts.
(module
  (memory (export "memory") 1)
  (func (export "fir") (param $x i32) (param $bank i32) (param $jobs i32) (param $n i32) (param $out i32)
    (local $q i32) (local $job i32) (local $p i32) (local $t i32) (local $c i32) (local $a v128) (local $b v128)
    (block $qdone (loop $ql
      (br_if $qdone (i32.ge_u (local.get $q) (local.get $n)))
      (local.set $job (i32.add (local.get $jobs) (i32.mul (local.get $q) (i32.const 12))))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.load (local.get $job)) (i32.const 2))))
      (local.set $t (i32.add (local.get $bank) (i32.shl (i32.load offset=4 (local.get $job)) (i32.const 2))))
      (local.set $c (i32.load offset=8 (local.get $job)))
      (local.set $a (v128.const i32x4 0 0 0 0))
      (local.set $b (v128.const i32x4 0 0 0 0))
      ;; two accumulators, two vectors a step
      (block $pdone (loop $pl
        (br_if $pdone (i32.lt_s (local.get $c) (i32.const 2)))
        (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $t)))))
        (local.set $b (f32x4.add (local.get $b) (f32x4.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $t)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $t (i32.add (local.get $t) (i32.const 32)))
        (local.set $c (i32.sub (local.get $c) (i32.const 2)))
        (br $pl)))
      (if (i32.gt_s (local.get $c) (i32.const 0))
        (then (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $t)))))))
      (local.set $a (f32x4.add (local.get $a) (local.get $b)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $q) (i32.const 2)))
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
                 (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $ql)))))
