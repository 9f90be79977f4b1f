package io.countersign.gate;

/** Marks the exceptions by which the gate refuses a completion. */
interface GateRefusal {

	String rule();

}
