;; The shared HCQT's conversions (dsp/hcqt.ts, sharedHcqt), four bins per
;; vector step, on split re/im arrays of n floats (the caller leaves zeros
;; after each array for the last vector's overhang):
;; - logmag: floorValue where re²+im² ≤ floorPower, else
;;   log2(re²+im²)·scale + offset, log2 from the float's exponent and a degree-6
;;   polynomial of its mantissa (the JavaScript path's coefficients);
;; - phase: for a ≥ span, the angle of C[a]·conj(C[a − span]) divided by π, by
;;   the JavaScript path's atan2 approximation (A&S 4.4.49 folded to the circle)
;;   with selects instead of branches; out[a < span] is left to the caller.
;; Built by scripts/build-wasm.sh into src/dsp/wasm/hcqtconv.ts.
(module
  (memory (export "memory") 1)

  (func (export "logmag") (param $re i32) (param $im i32) (param $out i32) (param $n i32) (param $floorPower f32) (param $floorValue f32) (param $scale f32) (param $offset f32)
    (local $o i32) (local $end i32) (local $r v128) (local $i v128) (local $p v128) (local $m v128) (local $l v128)
    (local $fp v128) (local $fv v128) (local $sc v128) (local $of v128)
    (local.set $fp (f32x4.splat (local.get $floorPower)))
    (local.set $fv (f32x4.splat (local.get $floorValue)))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $of (f32x4.splat (local.get $offset)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l4
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $r (v128.load (i32.add (local.get $re) (local.get $o))))
      (local.set $i (v128.load (i32.add (local.get $im) (local.get $o))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $r) (local.get $r)) (f32x4.mul (local.get $i) (local.get $i))))
      ;; mantissa in [0, 1)
      (local.set $m (f32x4.mul (f32x4.convert_i32x4_s (v128.and (local.get $p) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)))
                               (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $m) (v128.const f32x4 -0.025123486819600818 -0.025123486819600818 -0.025123486819600818 -0.025123486819600818))
                               (v128.const f32x4 0.11929956026904394 0.11929956026904394 0.11929956026904394 0.11929956026904394)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $l) (local.get $m)) (v128.const f32x4 -0.27462541216943226 -0.27462541216943226 -0.27462541216943226 -0.27462541216943226)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $l) (local.get $m)) (v128.const f32x4 0.4555286816016601 0.4555286816016601 0.4555286816016601 0.4555286816016601)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $l) (local.get $m)) (v128.const f32x4 -0.7175584249408518 -0.7175584249408518 -0.7175584249408518 -0.7175584249408518)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $l) (local.get $m)) (v128.const f32x4 1.4424753948539148 1.4424753948539148 1.4424753948539148 1.4424753948539148)))
      (local.set $l (f32x4.add (f32x4.mul (local.get $l) (local.get $m)) (v128.const f32x4 2.1204909327526447e-6 2.1204909327526447e-6 2.1204909327526447e-6 2.1204909327526447e-6)))
      ;; + the exponent
      (local.set $l (f32x4.add (local.get $l)
        (f32x4.convert_i32x4_s (i32x4.sub (i32x4.shr_s (local.get $p) (i32.const 23)) (v128.const i32x4 127 127 127 127)))))
      (v128.store (i32.add (local.get $out) (local.get $o))
        (v128.bitselect (local.get $fv)
                        (f32x4.add (f32x4.mul (local.get $l) (local.get $sc)) (local.get $of))
                        (f32x4.le (local.get $p) (local.get $fp))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $l4))))

  (func (export "phase") (param $re i32) (param $im i32) (param $out i32) (param $n i32) (param $span i32)
    (local $a i32) (local $b i32) (local $end i32)
    (local $ra v128) (local $ia v128) (local $rb v128) (local $ib v128) (local $x v128) (local $y v128)
    (local $ax v128) (local $ay v128) (local $mx v128) (local $z v128) (local $z2 v128) (local $r v128)
    (local.set $a (i32.shl (local.get $span) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l4
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $b (i32.sub (local.get $a) (i32.shl (local.get $span) (i32.const 2))))
      (local.set $ra (v128.load (i32.add (local.get $re) (local.get $a))))
      (local.set $ia (v128.load (i32.add (local.get $im) (local.get $a))))
      (local.set $rb (v128.load (i32.add (local.get $re) (local.get $b))))
      (local.set $ib (v128.load (i32.add (local.get $im) (local.get $b))))
      (local.set $y (f32x4.sub (f32x4.mul (local.get $ia) (local.get $rb)) (f32x4.mul (local.get $ra) (local.get $ib))))
      (local.set $x (f32x4.add (f32x4.mul (local.get $ra) (local.get $rb)) (f32x4.mul (local.get $ia) (local.get $ib))))
      (local.set $ax (f32x4.abs (local.get $x)))
      (local.set $ay (f32x4.abs (local.get $y)))
      (local.set $mx (f32x4.max (local.get $ax) (local.get $ay)))
      ;; z = min/max, 0 where both are 0
      (local.set $z (v128.bitselect (v128.const i32x4 0 0 0 0)
                                    (f32x4.div (f32x4.min (local.get $ax) (local.get $ay)) (local.get $mx))
                                    (f32x4.eq (local.get $mx) (v128.const i32x4 0 0 0 0))))
      (local.set $z2 (f32x4.mul (local.get $z) (local.get $z)))
      (local.set $r (f32x4.add (v128.const f32x4 -0.085133 -0.085133 -0.085133 -0.085133) (f32x4.mul (local.get $z2) (v128.const f32x4 0.0208351 0.0208351 0.0208351 0.0208351))))
      (local.set $r (f32x4.add (v128.const f32x4 0.180141 0.180141 0.180141 0.180141) (f32x4.mul (local.get $z2) (local.get $r))))
      (local.set $r (f32x4.add (v128.const f32x4 -0.3302995 -0.3302995 -0.3302995 -0.3302995) (f32x4.mul (local.get $z2) (local.get $r))))
      (local.set $r (f32x4.add (v128.const f32x4 0.999866 0.999866 0.999866 0.999866) (f32x4.mul (local.get $z2) (local.get $r))))
      (local.set $r (f32x4.mul (local.get $z) (local.get $r)))
      ;; |y| > |x|: π/2 − r; x < 0: π − r; y < 0: −r; then /π
      (local.set $r (v128.bitselect (f32x4.sub (v128.const f32x4 1.5707963267948966 1.5707963267948966 1.5707963267948966 1.5707963267948966) (local.get $r))
                                    (local.get $r) (f32x4.gt (local.get $ay) (local.get $ax))))
      (local.set $r (v128.bitselect (f32x4.sub (v128.const f32x4 3.141592653589793 3.141592653589793 3.141592653589793 3.141592653589793) (local.get $r))
                                    (local.get $r) (f32x4.lt (local.get $x) (v128.const i32x4 0 0 0 0))))
      (local.set $r (v128.bitselect (f32x4.neg (local.get $r)) (local.get $r) (f32x4.lt (local.get $y) (v128.const i32x4 0 0 0 0))))
      (v128.store (i32.add (local.get $out) (local.get $a)) (f32x4.mul (local.get $r) (v128.const f32x4 0.3183098861837907 0.3183098861837907 0.3183098861837907 0.3183098861837907)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (br $l4))))
)
