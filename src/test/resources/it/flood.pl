#!/usr/bin/perl
# A hostile local user for the socket tests: flood.pl SOCKET N MODE
#   MODE hold:    open N connections and keep each alive with a status line every 3 s (never reading)
#   MODE history: keep N connections each asking history (huge n, or none), never reading the answers;
#                 a connection the daemon closes is opened again at once
#   MODE metrics: as history, asking metrics
#   MODE watch:   open N watch subscriptions (each answer line read, "busy" ones counted), then hold them
#   MODE refused: send N stop requests one after another on one connection, reading each answer
# Prints "opened X refused Y" once the connections are up, then runs until killed.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM MSG_DONTWAIT);
$SIG{PIPE} = 'IGNORE';
$| = 1;
my ($path, $n, $mode) = @ARGV;
my %requests = (
    history => ["{\"op\":\"history\",\"n\":999999999}\n", "{\"op\":\"history\"}\n"],
    metrics => ["{\"op\":\"metrics\"}\n"],
    watch   => ["{\"op\":\"watch\"}\n"],
    refused => ["{\"op\":\"stop\",\"reason\":\"flood\"}\n"],
);
my @req = @{$requests{$mode} || ["{\"op\":\"status\"}\n"]};
my $reopen = $mode eq 'history' || $mode eq 'metrics';
if ($mode eq 'refused') {
    my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or die "connect: $!";
    my $refused = 0;
    for (1 .. $n) {
        print $c $req[0];
        my $line = <$c>;
        last unless defined $line;
        $refused++ if $line =~ /"forbidden"/;
    }
    print "opened 1 refused $refused\n";
    sleep 1 while 1;
}
if ($mode eq 'watch') {
    my (@w, $busy);
    $busy = 0;
    for (1 .. $n) {
        my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or last;
        print $c $req[0];
        my $line = <$c>;
        if (defined $line && $line =~ /"ok":true/) { push @w, $c } else { $busy++ }
    }
    print "opened " . scalar(@w) . " refused $busy\n";
    sleep 1 while 1;
}
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
    sleep($reopen ? 1 : 3);
    for my $i (0 .. $#s) {
        my $ok = defined $s[$i] && defined $s[$i]->send($req[$i % @req], MSG_DONTWAIT);
        if (!$ok && !$!{EAGAIN} && $reopen) {
            close $s[$i] if defined $s[$i];
            $s[$i] = open_one($i);
        }
    }
}
