// One RUN line per rounding mode: the template's @ROUNDING@ is replaced by sed.
// RUN: sed 's/@ROUNDING@/floor/' %s | intvit-opt --split-input-file -p expand-intvit-helpers | filecheck %s --check-prefix=FLOOR
// RUN: sed 's/@ROUNDING@/half_up/' %s | intvit-opt --split-input-file -p expand-intvit-helpers | filecheck %s --check-prefix=HALFUP
// RUN: sed 's/@ROUNDING@/half_even/' %s | intvit-opt --split-input-file -p expand-intvit-helpers | filecheck %s --check-prefix=EVEN
// RUN: sed 's/@ROUNDING@/half_away/' %s | intvit-opt --split-input-file -p expand-intvit-helpers | filecheck %s --check-prefix=AWAY
// RUN: sed 's/@ROUNDING@/double_round/' %s | intvit-opt --split-input-file -p expand-intvit-helpers | filecheck %s --check-prefix=DOUBLE
// The requant of a tensor (convert-intvit-to-linalg) expands inside its linalg.generic body.
// RUN: sed 's/@ROUNDING@/half_away/' %s | intvit-opt --split-input-file -p convert-intvit-to-linalg,expand-intvit-helpers | filecheck %s --check-prefix=TENSOR

// A wide x (here a bare i64 argument): p = x * m exact in i64, q = p >> e (floor),
// r = p - (q << e) in [0, 2^e), half = 1 << (e - 1); the mode only decides whether to add one
// to q (never forms p + half, which could overflow).

// FLOOR-LABEL: func.func @apply_scale
// FLOOR-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// FLOOR-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// FLOOR-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// FLOOR-NEXT: func.return %[[Q]] : i64

// HALFUP-LABEL: func.func @apply_scale
// HALFUP-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// HALFUP-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// HALFUP-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// HALFUP-NEXT: %[[QS:.*]] = arith.shli %[[Q]], %[[E]] : i64
// HALFUP-NEXT: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
// HALFUP-NEXT: %[[ONE:.*]] = arith.constant 1 : i64
// HALFUP-NEXT: %[[EM1:.*]] = arith.subi %[[E]], %[[ONE]] : i64
// HALFUP-NEXT: %[[ONE2:.*]] = arith.constant 1 : i64
// HALFUP-NEXT: %[[HALF:.*]] = arith.shli %[[ONE2]], %[[EM1]] : i64
// HALFUP-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[R]], %[[HALF]] : i64
// HALFUP-NEXT: %[[INC:.*]] = arith.extui %[[GE]] : i1 to i64
// HALFUP-NEXT: %[[OUT:.*]] = arith.addi %[[Q]], %[[INC]] : i64
// HALFUP-NEXT: func.return %[[OUT]] : i64

// EVEN-LABEL: func.func @apply_scale
// EVEN-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// EVEN-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// EVEN-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// EVEN-NEXT: %[[QS:.*]] = arith.shli %[[Q]], %[[E]] : i64
// EVEN-NEXT: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
// EVEN: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// EVEN-NEXT: %[[TIE:.*]] = arith.cmpi eq, %[[R]], %[[HALF]] : i64
// EVEN-NEXT: %[[ABOVE:.*]] = arith.cmpi sgt, %[[R]], %[[HALF]] : i64
// EVEN-NEXT: %[[ONE:.*]] = arith.constant 1 : i64
// EVEN-NEXT: %[[LOW:.*]] = arith.andi %[[Q]], %[[ONE]] : i64
// EVEN-NEXT: %[[ONE2:.*]] = arith.constant 1 : i64
// EVEN-NEXT: %[[ODD:.*]] = arith.cmpi eq, %[[LOW]], %[[ONE2]] : i64
// EVEN-NEXT: %[[TIEUP:.*]] = arith.andi %[[TIE]], %[[ODD]] : i1
// EVEN-NEXT: %[[UP:.*]] = arith.ori %[[ABOVE]], %[[TIEUP]] : i1
// EVEN-NEXT: %[[INC:.*]] = arith.extui %[[UP]] : i1 to i64
// EVEN-NEXT: %[[OUT:.*]] = arith.addi %[[Q]], %[[INC]] : i64
// EVEN-NEXT: func.return %[[OUT]] : i64

// AWAY-LABEL: func.func @apply_scale
// AWAY-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// AWAY-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// AWAY-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// AWAY-NEXT: %[[QS:.*]] = arith.shli %[[Q]], %[[E]] : i64
// AWAY-NEXT: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
// AWAY: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// AWAY-NEXT: %[[TIE:.*]] = arith.cmpi eq, %[[R]], %[[HALF]] : i64
// AWAY-NEXT: %[[ABOVE:.*]] = arith.cmpi sgt, %[[R]], %[[HALF]] : i64
// AWAY-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// AWAY-NEXT: %[[NONNEG:.*]] = arith.cmpi sge, %[[P]], %[[ZERO]] : i64
// AWAY-NEXT: %[[TIEUP:.*]] = arith.andi %[[TIE]], %[[NONNEG]] : i1
// AWAY-NEXT: %[[UP:.*]] = arith.ori %[[ABOVE]], %[[TIEUP]] : i1
// AWAY-NEXT: %[[INC:.*]] = arith.extui %[[UP]] : i1 to i64
// AWAY-NEXT: %[[OUT:.*]] = arith.addi %[[Q]], %[[INC]] : i64
// AWAY-NEXT: func.return %[[OUT]] : i64

// double_round (TOSA): q + ((r + half + bump) >> e), bump = +-2^30 by the sign of p when e > 31.
// DOUBLE-LABEL: func.func @apply_scale
// DOUBLE-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// DOUBLE-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// DOUBLE-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// DOUBLE-NEXT: %[[QS:.*]] = arith.shli %[[Q]], %[[E]] : i64
// DOUBLE-NEXT: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
// DOUBLE: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// DOUBLE-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// DOUBLE-NEXT: %[[NONNEG:.*]] = arith.cmpi sge, %[[P]], %[[ZERO]] : i64
// DOUBLE-NEXT: %[[C31:.*]] = arith.constant 31 : i64
// DOUBLE-NEXT: %[[BIG:.*]] = arith.cmpi sgt, %[[E]], %[[C31]] : i64
// DOUBLE-NEXT: %[[PLUS:.*]] = arith.constant 1073741824 : i64
// DOUBLE-NEXT: %[[MINUS:.*]] = arith.constant -1073741824 : i64
// DOUBLE-NEXT: %[[PM:.*]] = arith.select %[[NONNEG]], %[[PLUS]], %[[MINUS]] : i64
// DOUBLE-NEXT: %[[NOBUMP:.*]] = arith.constant 0 : i64
// DOUBLE-NEXT: %[[BUMP:.*]] = arith.select %[[BIG]], %[[PM]], %[[NOBUMP]] : i64
// DOUBLE-NEXT: %[[RH:.*]] = arith.addi %[[R]], %[[HALF]] : i64
// DOUBLE-NEXT: %[[RHB:.*]] = arith.addi %[[RH]], %[[BUMP]] : i64
// DOUBLE-NEXT: %[[INC:.*]] = arith.shrsi %[[RHB]], %[[E]] : i64
// DOUBLE-NEXT: %[[OUT:.*]] = arith.addi %[[Q]], %[[INC]] : i64
// DOUBLE-NEXT: func.return %[[OUT]] : i64
func.func @apply_scale(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e rounding @ROUNDING@ : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// A narrow x (sign-extended from i32): |p| < 2^62, so each mode is one rounding offset added
// before the floor shift.  The shift is an argument here: half = 1 << (e - 1) is computed.

// FLOOR-LABEL: func.func @apply_scale$narrow
// FLOOR-SAME: (%[[V:.*]]: i32, %[[M:.*]]: i64, %[[E:.*]]: i64)
// FLOOR-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// FLOOR-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// FLOOR-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// FLOOR-NEXT: func.return %[[Q]] : i64

// HALFUP-LABEL: func.func @apply_scale$narrow
// HALFUP-SAME: (%[[V:.*]]: i32, %[[M:.*]]: i64, %[[E:.*]]: i64)
// HALFUP-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// HALFUP-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// HALFUP-NEXT: %[[ONE:.*]] = arith.constant 1 : i64
// HALFUP-NEXT: %[[EM1:.*]] = arith.subi %[[E]], %[[ONE]] : i64
// HALFUP-NEXT: %[[ONE2:.*]] = arith.constant 1 : i64
// HALFUP-NEXT: %[[HALF:.*]] = arith.shli %[[ONE2]], %[[EM1]] : i64
// HALFUP-NEXT: %[[PH:.*]] = arith.addi %[[P]], %[[HALF]] : i64
// HALFUP-NEXT: %[[OUT:.*]] = arith.shrsi %[[PH]], %[[E]] : i64
// HALFUP-NEXT: func.return %[[OUT]] : i64

// (p + (half - 1) + bit0(p >> e)) >> e: a tie lands on 2^e - 1 + bit0, so it rounds up exactly
// when the floor is odd.
// EVEN-LABEL: func.func @apply_scale$narrow
// EVEN-SAME: (%[[V:.*]]: i32, %[[M:.*]]: i64, %[[E:.*]]: i64)
// EVEN-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// EVEN-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// EVEN: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// EVEN-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// EVEN-NEXT: %[[ONE:.*]] = arith.constant 1 : i64
// EVEN-NEXT: %[[ODD:.*]] = arith.andi %[[Q]], %[[ONE]] : i64
// EVEN-NEXT: %[[ONE2:.*]] = arith.constant 1 : i64
// EVEN-NEXT: %[[HM1:.*]] = arith.subi %[[HALF]], %[[ONE2]] : i64
// EVEN-NEXT: %[[PH:.*]] = arith.addi %[[P]], %[[HM1]] : i64
// EVEN-NEXT: %[[PHO:.*]] = arith.addi %[[PH]], %[[ODD]] : i64
// EVEN-NEXT: %[[OUT:.*]] = arith.shrsi %[[PHO]], %[[E]] : i64
// EVEN-NEXT: func.return %[[OUT]] : i64

// (p + half + (p >> 63)) >> e: a negative tie loses one and rounds toward -inf (away from 0).
// AWAY-LABEL: func.func @apply_scale$narrow
// AWAY-SAME: (%[[V:.*]]: i32, %[[M:.*]]: i64, %[[E:.*]]: i64)
// AWAY-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// AWAY-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// AWAY: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// AWAY-NEXT: %[[PH:.*]] = arith.addi %[[P]], %[[HALF]] : i64
// AWAY-NEXT: %[[C63:.*]] = arith.constant 63 : i64
// AWAY-NEXT: %[[SIGN:.*]] = arith.shrsi %[[P]], %[[C63]] : i64
// AWAY-NEXT: %[[PHS:.*]] = arith.addi %[[PH]], %[[SIGN]] : i64
// AWAY-NEXT: %[[OUT:.*]] = arith.shrsi %[[PHS]], %[[E]] : i64
// AWAY-NEXT: func.return %[[OUT]] : i64

// DOUBLE-LABEL: func.func @apply_scale$narrow
// DOUBLE-SAME: (%[[V:.*]]: i32, %[[M:.*]]: i64, %[[E:.*]]: i64)
// DOUBLE-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// DOUBLE-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// DOUBLE: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// DOUBLE-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// DOUBLE-NEXT: %[[NONNEG:.*]] = arith.cmpi sge, %[[P]], %[[ZERO]] : i64
// DOUBLE-NEXT: %[[C31:.*]] = arith.constant 31 : i64
// DOUBLE-NEXT: %[[BIG:.*]] = arith.cmpi sgt, %[[E]], %[[C31]] : i64
// DOUBLE: %[[BUMP:.*]] = arith.select %[[BIG]], %{{.*}}, %{{.*}} : i64
// DOUBLE-NEXT: %[[PH:.*]] = arith.addi %[[P]], %[[HALF]] : i64
// DOUBLE-NEXT: %[[PHB:.*]] = arith.addi %[[PH]], %[[BUMP]] : i64
// DOUBLE-NEXT: %[[OUT:.*]] = arith.shrsi %[[PHB]], %[[E]] : i64
// DOUBLE-NEXT: func.return %[[OUT]] : i64
func.func @apply_scale$narrow(%v: i32, %m: i64, %e: i64) -> i64 {
  %x = arith.extsi %v : i32 to i64
  %r = intvit_helper.apply_scale %x, %m, %e rounding @ROUNDING@ : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// A 32-bit unsigned x can reach 2^32 - 1: p + half might overflow, so it keeps the wide form.
// EVEN-LABEL: func.func @apply_scale$unsigned32
// EVEN: %[[P:.*]] = arith.muli
// EVEN-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %{{.*}} : i64
// EVEN-NEXT: %[[QS:.*]] = arith.shli %[[Q]], %{{.*}} : i64
// EVEN-NEXT: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
func.func @apply_scale$unsigned32(%v: i32, %m: i64, %e: i64) -> i64 {
  %x = arith.extui %v : i32 to i64
  %r = intvit_helper.apply_scale %x, %m, %e rounding @ROUNDING@ : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// A tensor requant expands inside its linalg.generic body; the shift is a constant there, so
// half is folded (2^39 for e = 40).
// TENSOR-LABEL: func.func @requant$tensor
// TENSOR: linalg.generic
// TENSOR: ^bb0(%[[V:.*]]: i32, %{{.*}}: i8):
// TENSOR-NEXT: %[[X:.*]] = arith.extsi %[[V]] : i32 to i64
// TENSOR-NEXT: %[[M:.*]] = arith.constant 1518500250 : i64
// TENSOR-NEXT: %[[E:.*]] = arith.constant 40 : i64
// TENSOR-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// TENSOR-NEXT: %[[HALF:.*]] = arith.constant 549755813888 : i64
// TENSOR-NEXT: %[[PH:.*]] = arith.addi %[[P]], %[[HALF]] : i64
// TENSOR-NEXT: %[[C63:.*]] = arith.constant 63 : i64
// TENSOR-NEXT: %[[SIGN:.*]] = arith.shrsi %[[P]], %[[C63]] : i64
// TENSOR-NEXT: %[[PHS:.*]] = arith.addi %[[PH]], %[[SIGN]] : i64
// TENSOR-NEXT: %[[OUT:.*]] = arith.shrsi %[[PHS]], %[[E]] : i64
// TENSOR-NEXT: %[[LO:.*]] = arith.constant -128 : i64
// TENSOR-NEXT: %[[A:.*]] = arith.maxsi %[[OUT]], %[[LO]] : i64
// TENSOR-NEXT: %[[HI:.*]] = arith.constant 127 : i64
// TENSOR-NEXT: %[[B:.*]] = arith.minsi %[[A]], %[[HI]] : i64
// TENSOR-NEXT: %[[T:.*]] = arith.trunci %[[B]] : i64 to i8
// TENSOR-NEXT: linalg.yield %[[T]] : i8
// TENSOR-NOT: intvit_helper
func.func @requant$tensor(%a: tensor<4x8xi32>) -> tensor<4x8xi8> {
  %r = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding @ROUNDING@ : tensor<4x8xi32> -> tensor<4x8xi8>
  func.return %r : tensor<4x8xi8>
}
