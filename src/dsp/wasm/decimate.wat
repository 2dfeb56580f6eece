;; Decimation by two with a symmetric half-band FIR whose even taps (but the
;; centre) are zero, on the polyphase split of the input: xe[n] = x[2n],
;; xo[n] = x[2n+1]. Output m is
;;   y[m] = c·xe[m] + Σ_{j<J} w[j]·(xo[m−j−1] + xo[m+j]),
;; four outputs per vector step. Only the interior, where every index is in
;; range, is computed here; the caller does the edges.
;; Built by scripts/build-wasm.sh into src/dsp/wasm/decimate.ts.
(module
  (memory (export "memory") 1)
  (func (export "halve") (param $xe i32) (param $xo i32) (param $y i32) (param $w i32) (param $J i32) (param $c f32) (param $m0 i32) (param $m1 i32)
    (local $m i32) (local $j i32) (local $pl i32) (local $pr i32) (local $pw i32)
    (local $acc v128) (local $s f32)
    (local.set $m (local.get $m0))
    (block $vdone (loop $v
      (br_if $vdone (i32.gt_s (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
      (local.set $acc (f32x4.mul (v128.load (i32.add (local.get $xe) (i32.shl (local.get $m) (i32.const 2)))) (f32x4.splat (local.get $c))))
      (local.set $pl (i32.add (local.get $xo) (i32.shl (i32.sub (local.get $m) (i32.const 1)) (i32.const 2))))
      (local.set $pr (i32.add (local.get $xo) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $pw (local.get $w))
      (local.set $j (local.get $J))
      (block $jdone (loop $jl
        (br_if $jdone (i32.le_s (local.get $j) (i32.const 0)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load32_splat (local.get $pw))
                     (f32x4.add (v128.load (local.get $pl)) (v128.load (local.get $pr))))))
        (local.set $pl (i32.sub (local.get $pl) (i32.const 4)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 4)))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $jl)))
      (v128.store (i32.add (local.get $y) (i32.shl (local.get $m) (i32.const 2))) (local.get $acc))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $v)))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_s (local.get $m) (local.get $m1)))
      (local.set $s (f32.mul (f32.load (i32.add (local.get $xe) (i32.shl (local.get $m) (i32.const 2)))) (local.get $c)))
      (local.set $pl (i32.add (local.get $xo) (i32.shl (i32.sub (local.get $m) (i32.const 1)) (i32.const 2))))
      (local.set $pr (i32.add (local.get $xo) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $pw (local.get $w))
      (local.set $j (local.get $J))
      (block $jd2 (loop $jl2
        (br_if $jd2 (i32.le_s (local.get $j) (i32.const 0)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pw)) (f32.add (f32.load (local.get $pl)) (f32.load (local.get $pr))))))
        (local.set $pl (i32.sub (local.get $pl) (i32.const 4)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 4)))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $jl2)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $m) (i32.const 2))) (local.get $s))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $sl)))
  )
)
