#!/usr/bin/perl
# A hostile local user for the socket tests: flood.pl SOCKET N MODE
#   MODE hold:    open N connections and keep each alive with a status line every 3 s (never reading)
#   MODE history: keep N connections each asking history (huge n, or none), never reading the answers;
#                 a connection the daemon closes is opened again at once
# Prints "opened X refused Y" once the connections are up, then runs until killed.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM MSG_DONTWAIT);
$SIG{PIPE} = 'IGNORE';
$| = 1;
my ($path, $n, $mode) = @ARGV;
my @req = $mode eq 'history'
    ? ("{\"op\":\"history\",\"n\":999999999}\n", "{\"op\":\"history\"}\n")
    : ("{\"op\":\"status\"}\n");
my @s;
sub open_one {
    my ($i) = @_;
    my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or return undef;
    $c->send($req[$i % @req], MSG_DONTWAIT);
    return $c;
}
for my $i (0 .. $n - 1) {
    my $c = open_one($i) or last;
    push @s, $c;
}
sleep 2;
my $refused = 0;
for my $c (@s) {
    my $buf = '';
    $c->recv($buf, 4096, MSG_DONTWAIT);
    $refused++ if defined $buf && $buf =~ /"busy"/;
}
print "opened " . scalar(@s) . " refused $refused\n";
while (1) {
    sleep($mode eq 'history' ? 1 : 3);
    for my $i (0 .. $#s) {
        my $ok = defined $s[$i] && defined $s[$i]->send($req[$i % @req], MSG_DONTWAIT);
        if (!$ok && !$!{EAGAIN} && $mode eq 'history') {
            close $s[$i] if defined $s[$i];
            $s[$i] = open_one($i);
        }
    }
}
