/**
 * The rule for text that comes from outside and is later printed (a reason, a name, an image version): printable,
 * or escaped where it is shown. Every other package may use it; it uses none.
 */
package io.warden.text;
