// RUN: intvit-opt %s --split-input-file -p expand-intvit-helpers | filecheck %s

// CHECK-LABEL: func.func @floor
// CHECK-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// CHECK-NEXT: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// CHECK-NEXT: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// CHECK-NEXT: func.return %[[Q]]
func.func @floor(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e rounding floor : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// CHECK-LABEL: func.func @half_up
// CHECK-SAME: (%[[X:.*]]: i64, %[[M:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// CHECK: %[[Q:.*]] = arith.shrsi %[[P]], %[[E]] : i64
// CHECK: %[[QS:.*]] = arith.shli %[[Q]], %[[E]] : i64
// CHECK: %[[R:.*]] = arith.subi %[[P]], %[[QS]] : i64
// CHECK: %[[HALF:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[R]], %[[HALF]] : i64
// CHECK: %[[UP:.*]] = arith.extui %[[GE]] : i1 to i64
// CHECK: %[[OUT:.*]] = arith.addi %[[Q]], %[[UP]] : i64
// CHECK: func.return %[[OUT]]
func.func @half_up(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e rounding half_up : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// half_even: ties go up only when the floor is odd.
// CHECK-LABEL: func.func @half_even
// CHECK: %[[Q:.*]] = arith.shrsi
// CHECK: %[[TIE:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK: %[[ABOVE:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[ODDBIT:.*]] = arith.andi %[[Q]], %{{.*}} : i64
// CHECK: %[[ODD:.*]] = arith.cmpi eq, %[[ODDBIT]], %{{.*}} : i64
// CHECK: %[[TIEUP:.*]] = arith.andi %[[TIE]], %[[ODD]] : i1
// CHECK: %[[INC:.*]] = arith.ori %[[ABOVE]], %[[TIEUP]] : i1
func.func @half_even(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// half_away: ties go up only for non-negative products.
// CHECK-LABEL: func.func @half_away
// CHECK: %[[P:.*]] = arith.muli
// CHECK: %[[NONNEG:.*]] = arith.cmpi sge, %[[P]], %{{.*}} : i64
// CHECK: arith.andi %{{.*}}, %[[NONNEG]] : i1
func.func @half_away(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e rounding half_away : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// double_round (TOSA): +-2^30 by the sign of the product when the shift exceeds 31.
// CHECK-LABEL: func.func @double_round
// CHECK: %[[P:.*]] = arith.muli
// CHECK: %[[NONNEG:.*]] = arith.cmpi sge, %[[P]], %{{.*}} : i64
// CHECK: %[[BIG:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[PM:.*]] = arith.select %[[NONNEG]], %{{.*}}, %{{.*}} : i64
// CHECK: %[[BUMP:.*]] = arith.select %[[BIG]], %[[PM]], %{{.*}} : i64
func.func @double_round(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e rounding double_round : i64, i64, i64 -> i64
  func.return %r : i64
}
